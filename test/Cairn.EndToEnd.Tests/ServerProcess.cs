using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.EndToEnd.Tests;

/// <summary>
/// A long-running <c>cairn</c> server (pd, store) as a process: its output is collected line by line, and dispose
/// stops it with SIGTERM, then kills it after a bound.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly Lock _gate = new();

    private ServerProcess(Process process)
    {
        _process = process;
        Exited = process.WaitForExitAsync();
    }

    public Task Exited { get; }

    public int ExitCode => _process.ExitCode;

    public int Pid => _process.Id;

    public string Stdout => Text(_stdout);

    public string Stderr => Text(_stderr);

    public static ServerProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(CairnProcess.DllPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        ServerProcess? server = null;
        process.OutputDataReceived += (_, e) => server?.Add(server._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => server?.Add(server._stderr, e.Data);
        process.Start();
        server = new ServerProcess(process);
        // Reading starts only once the handlers can reach the lists, so no early line is lost.
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits, with a bound, for a stdout line matching <paramref name="pattern"/>; fails early if the process exits.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_gate)
            {
                foreach (var line in _stdout)
                {
                    if (pattern.Match(line) is { Success: true } match)
                    {
                        return match;
                    }
                }
            }

            if (Exited.IsCompleted)
            {
                throw new InvalidOperationException($"the process exited with {ExitCode} before printing {pattern}:\n{Stdout}\n{Stderr}");
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no line matching {pattern} within {timeout}:\n{Stdout}\n{Stderr}");
    }

    /// <summary>Waits, with a bound, for the process to exit.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout) => await Task.WhenAny(Exited, Task.Delay(timeout)) == Exited;

    public void Signal(string signal) =>
        Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal("TERM");
            if (!await WaitForExitAsync(TimeSpan.FromSeconds(20)))
            {
                _process.Kill(entireProcessTree: true);
                await Exited;
            }
        }

        _process.Dispose();
    }

    private string Text(List<string> lines)
    {
        lock (_gate)
        {
            return string.Join('\n', lines);
        }
    }

    private void Add(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            lines.Add(line);
        }
    }
}
