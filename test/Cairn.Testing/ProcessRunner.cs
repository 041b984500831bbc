using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Cairn.Testing;

/// <summary>What a process that ran to its end printed, and how it exited.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError, byte[] StandardOutputBytes)
{
    /// <summary>Exit code, stdout and stderr, the three most tests look at.</summary>
    public void Deconstruct(out int exitCode, out string standardOutput, out string standardError)
    {
        exitCode = ExitCode;
        standardOutput = StandardOutput;
        standardError = StandardError;
    }
}

/// <summary>
/// A child process a test starts: its output is collected line by line, and dispose always stops it (SIGTERM, then
/// kill after a bound), so no test leaves a server running behind it. <see cref="RunAsync"/> runs one to its end
/// with a bound and kills it when the bound passes.
/// </summary>
public sealed class ProcessRunner : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ProcessRunner(Process process) => _process = process;

    /// <summary>The <c>cairn</c> executable built next to the tests (test projects reference Cairn.Server for it).</summary>
    public static string CairnDll => Path.Combine(AppContext.BaseDirectory, "cairn.dll");

    /// <summary>Completes when the process has exited and its output has been read to the end.</summary>
    public Task Exited { get; private set; } = Task.CompletedTask;

    public bool HasExited => Exited.IsCompleted;

    public int ExitCode => _process.ExitCode;

    public int Pid => _process.Id;

    /// <summary>What the process printed on stdout so far, one entry a line.</summary>
    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _stdout];
            }
        }
    }

    public string Stdout => Text(_stdout);

    public string Stderr => Text(_stderr);

    /// <summary>Starts <c>dotnet cairn.dll ARGS</c>.</summary>
    public static ProcessRunner StartCairn(params string[] args) => Start(DotnetHost, [CairnDll, .. args]);

    /// <summary>
    /// Starts <paramref name="fileName"/>; <paramref name="environment"/> sets variables (a null value removes one).
    /// With <paramref name="redirectStdin"/> the child gets a pipe as stdin that dispose closes first, for a child
    /// that ends when its stdin closes.
    /// </summary>
    public static ProcessRunner Start(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null, bool redirectStdin = false)
    {
        var process = new Process { StartInfo = StartInfo(fileName, args, environment, workingDirectory, redirectStdin), EnableRaisingEvents = true };
        var runner = new ProcessRunner(process);
        process.OutputDataReceived += (_, e) => runner.Add(runner._stdout, runner._outputClosed, e.Data);
        process.ErrorDataReceived += (_, e) => runner.Add(runner._stderr, runner._errorClosed, e.Data);
        process.Start();
        // Reading starts only once the handlers can reach the lists, so no early line is lost.
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        runner.Exited = Task.WhenAll(process.WaitForExitAsync(), runner._outputClosed.Task, runner._errorClosed.Task);
        return runner;
    }

    /// <summary>Runs <c>dotnet cairn.dll ARGS</c> to its end; see <see cref="RunAsync"/>.</summary>
    public static Task<ProcessResult> RunCairnAsync(TimeSpan timeout, params string[] args) => RunAsync(DotnetHost, [CairnDll, .. args], timeout);

    /// <summary>
    /// Runs <paramref name="fileName"/> to its end, feeding <paramref name="stdin"/> (stdin is closed either way);
    /// kills it and throws <see cref="TimeoutException"/> if it has not ended within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> args, TimeSpan timeout, byte[]? stdin = null,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var arguments = args.ToList();
        using var process = Process.Start(StartInfo(fileName, arguments, environment, workingDirectory, redirectStdin: true))
            ?? throw new InvalidOperationException($"{fileName} did not start");
        var stdout = new MemoryStream();
        var readOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var readErr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.BaseStream.WriteAsync(stdin, cts.Token).ConfigureAwait(false);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        await readOut.ConfigureAwait(false);
        var bytes = stdout.ToArray();
        return new ProcessResult(process.ExitCode, Encoding.UTF8.GetString(bytes), await readErr.ConfigureAwait(false), bytes);
    }

    /// <summary>Waits, with a bound, for a stdout line matching <paramref name="pattern"/>; fails early if the process exits.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Match? found = null;
        // Exited completes only after the output is read to its end, so a process that printed the line and then
        // exited is still found; one that exited without it fails at once instead of at the timeout.
        await Eventually.UntilAsync(() =>
        {
            var exited = HasExited;
            lock (_gate)
            {
                found = _stdout.Select(l => pattern.Match(l)).FirstOrDefault(m => m.Success);
            }

            return found is not null || exited;
        }, timeout, () => $"a line matching {pattern} from {_process.StartInfo.FileName} (stdout:\n{Stdout}\nstderr:\n{Stderr})").ConfigureAwait(false);
        if (found is null)
        {
            throw new InvalidOperationException($"the process exited with {ExitCode} before printing {pattern}:\n{Stdout}\n{Stderr}");
        }

        return found;
    }

    /// <summary>Waits, with a bound, for the process to exit.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout) => await Task.WhenAny(Exited, Task.Delay(timeout)).ConfigureAwait(false) == Exited;

    /// <summary>Sends a signal by name (TERM, KILL, STOP, ...).</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill?.WaitForExit();
    }

    /// <summary>SIGKILL to the whole tree: no chance to flush or close anything.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await Exited.ConfigureAwait(false);
    }

    /// <summary>SIGTERM, then the exit code; kills the process and throws if it has not exited within <paramref name="timeout"/>.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        Signal("TERM");
        if (!await WaitForExitAsync(timeout).ConfigureAwait(false))
        {
            await KillAsync().ConfigureAwait(false);
            throw new TimeoutException($"{_process.StartInfo.FileName} did not exit within {timeout} of SIGTERM:\n{Stderr}");
        }

        return ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process.StartInfo.RedirectStandardInput && !_process.HasExited)
        {
            _process.StandardInput.Close();
            await WaitForExitAsync(StopTimeout).ConfigureAwait(false);
        }

        if (!_process.HasExited)
        {
            // SIGTERM first: a playground or store stops its own children and releases its files.
            Signal("TERM");
            if (!await WaitForExitAsync(StopTimeout).ConfigureAwait(false) && !_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        // Bounded: a grandchild that outlived a kill -9 of its parent may still hold the output pipes open.
        await WaitForExitAsync(StopTimeout).ConfigureAwait(false);
        _process.Dispose();
    }

    /// <summary>The dotnet host that runs the tests (the SDK sets DOTNET_HOST_PATH), so a child runs on the same runtime.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment, string? workingDirectory, bool redirectStdin)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = redirectStdin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        return start;
    }

    private string Text(List<string> lines)
    {
        lock (_gate)
        {
            return string.Join('\n', lines);
        }
    }

    private void Add(List<string> lines, TaskCompletionSource closed, string? line)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (_gate)
        {
            lines.Add(line);
        }
    }
}
