using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.EndToEnd.Tests;

/// <summary>
/// A <c>cairn playground</c> run as a process tree (pd and stores), started until its ready line and stopped with
/// SIGTERM (then killed) on dispose, with its folder removed.
/// </summary>
internal sealed partial class PlaygroundProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly Lock _gate = new();

    private PlaygroundProcess(Process process, string dir)
    {
        _process = process;
        Dir = dir;
    }

    /// <summary>The playground's folder (data and one log per child).</summary>
    public string Dir { get; }

    /// <summary>pd's gRPC address, host:port.</summary>
    public string Pd { get; private set; } = "";

    /// <summary>pd's HTTP API base address, e.g. <c>http://127.0.0.1:2380</c>.</summary>
    public string PdHttp { get; private set; } = "";

    public int Pid => _process.Id;

    public Process Process => _process;

    /// <summary>What the playground printed on stdout so far.</summary>
    public IReadOnlyList<string> Stdout
    {
        get
        {
            lock (_gate)
            {
                return [.. _stdout];
            }
        }
    }

    /// <summary>What the playground printed on stderr so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    public static async Task<PlaygroundProcess> StartAsync(int stores, params string[] extraArgs)
    {
        var dir = Path.Combine(Path.GetTempPath(), "cairn-e2e-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { CairnProcess.DllPath, "playground", "--stores", stores.ToString(CultureInfo.InvariantCulture), "--dir", dir })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var arg in extraArgs)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the playground did not start");
        var playground = new PlaygroundProcess(process, dir);
        _ = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (playground._gate)
                {
                    playground._stderr.Add(line);
                }
            }
        });
        var ready = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (playground._gate)
                {
                    playground._stdout.Add(line);
                }

                if (ReadyLine().Match(line) is { Success: true } match)
                {
                    ready.TrySetResult(match);
                }
            }

            ready.TrySetException(new InvalidOperationException("the playground ended its output before it was ready"));
        });
        try
        {
            var match = await ready.Task.WaitAsync(TimeSpan.FromMinutes(2));
            playground.Pd = match.Groups["pd"].Value;
            playground.PdHttp = match.Groups["http"].Value;
            return playground;
        }
        catch
        {
            await playground.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits, with a bound, until the playground has printed a line matching the pattern.</summary>
    public async Task<string> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Stdout.FirstOrDefault(pattern.IsMatch) is { } line)
            {
                return line;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the playground printed no line matching {pattern} within {timeout}:\n{string.Join('\n', Stdout)}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!HasExited(_process))
        {
            // SIGTERM: the playground stops its children itself.
            Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        if (Directory.Exists(Dir))
        {
            Directory.Delete(Dir, recursive: true);
        }
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    [GeneratedRegex(@"^playground ready: pd (?:http://)?(?<pd>\S+) \(http (?<http>[^)\s]+)\)")]
    private static partial Regex ReadyLine();
}
