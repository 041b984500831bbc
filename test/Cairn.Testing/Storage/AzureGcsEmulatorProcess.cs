using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Testing.Storage;

/// <summary>
/// A storage emulator (azurite or the GCS emulator) running as a node child process on a free 127.0.0.1 port, with
/// its own temp folder. Disposing kills the whole process tree and deletes the folder. <see cref="StartSharedAsync"/>
/// starts one per setting for the whole test run; the fixtures (<see cref="AzuriteFixture"/>,
/// <see cref="GcsEmulatorFixture"/>) use it and give each test class its own container or bucket.
/// </summary>
public sealed class AzureGcsEmulatorProcess : IAsyncDisposable
{
    private const string SetupHint = "run `scripts/setup.sh storage` from the repository root to install the storage emulators";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private static readonly ConcurrentDictionary<string, Lazy<Task<AzureGcsEmulatorProcess>>> Shared = new(StringComparer.Ordinal);

    private readonly Process _process;
    private readonly StringBuilder _output;

    private AzureGcsEmulatorProcess(Process process, StringBuilder output, int port, string tempDirectory)
    {
        _process = process;
        _output = output;
        Port = port;
        TempDirectory = tempDirectory;
    }

    /// <summary>The port the emulator listens on.</summary>
    public int Port { get; }

    /// <summary>The emulator's private temp folder.</summary>
    public string TempDirectory { get; }

    /// <summary>What the emulator printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>A file of the npm-installed emulators (under .tools/emulators/node_modules); fails with the setup command when missing.</summary>
    public static string RequireEmulatorFile(string relativePath, string what)
    {
        var path = Path.Combine(RepoPaths.Root, ".tools", "emulators", "node_modules", relativePath);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{what} is not installed ({path} is missing): {SetupHint}");
        }
        return path;
    }

    /// <summary>
    /// The emulator started by <paramref name="start"/> under <paramref name="key"/>: started by the first caller of
    /// the test run, shared by all later ones, and stopped when the test process exits (or, when the process is killed,
    /// by the emulator's owner watch, see <see cref="NodeArguments"/>). A failed start fails every caller with the
    /// same message (the tests never skip).
    /// </summary>
    public static Task<AzureGcsEmulatorProcess> StartSharedAsync(string key, Func<Task<AzureGcsEmulatorProcess>> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        return Shared.GetOrAdd(key, _ => new Lazy<Task<AzureGcsEmulatorProcess>>(() => StartAndStopAtExitAsync(start))).Value;
    }

    private static async Task<AzureGcsEmulatorProcess> StartAndStopAtExitAsync(Func<Task<AzureGcsEmulatorProcess>> start)
    {
        var emulator = await start().ConfigureAwait(false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => emulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return emulator;
    }

    /// <summary>Starts <c>node script args…</c> on a free port (passed through <paramref name="arguments"/>) and waits until the port answers.</summary>
    public static async Task<AzureGcsEmulatorProcess> StartAsync(string name, string script, Func<int, IEnumerable<string>> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var node = RequireNode(name);
        Exception? last = null;
        // A free port can be taken by someone else between probing and binding; try a few.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreePorts.One();
            var temp = Directory.CreateTempSubdirectory($"cairn-{name}-").FullName;
            // In a session of its own (setsid execs node in place, so the test host stays its parent for the owner
            // watch): with no controlling terminal, job control can never stop it. One was found stopped and orphaned
            // although its stdio were pipes.
            var info = new ProcessStartInfo(File.Exists(SetSid) ? SetSid : node)
            {
                WorkingDirectory = temp,
                // Its own stdin, not the test host's: a process that reads a terminal it does not own is stopped by job
                // control, and a stopped emulator cannot notice that its owner is gone (one was found stopped, orphaned).
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (File.Exists(SetSid))
            {
                info.ArgumentList.Add(node);
            }

            foreach (var argument in NodeArguments(script, arguments(port)))
            {
                info.ArgumentList.Add(argument);
            }
            foreach (var (key, value) in EmulatorEnvironment(port, temp, environment))
            {
                info.Environment[key] = value;
            }
            var output = new StringBuilder();
            var process = new Process { StartInfo = info };
            process.OutputDataReceived += (_, e) => Append(output, e.Data);
            process.ErrorDataReceived += (_, e) => Append(output, e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var emulator = new AzureGcsEmulatorProcess(process, output, port, temp);
            try
            {
                await emulator.WaitForPortAsync(name).ConfigureAwait(false);
                return emulator;
            }
            catch (Exception e)
            {
                last = e;
                await emulator.DisposeAsync().ConfigureAwait(false);
            }
        }
        throw new InvalidOperationException($"{name} did not start: {last?.Message}", last);
    }

    private const string SetSid = "/usr/bin/setsid";

    /// <summary>
    /// node's arguments for <paramref name="script"/>: the owner watch (scripts/emulators/owner-watch.js) preloaded, so
    /// that the emulator exits and removes its folder once its parent process is gone, even when the test host is
    /// killed without running its exit handlers; then the script and its arguments.
    /// </summary>
    public static IReadOnlyList<string> NodeArguments(string script, IEnumerable<string> arguments) =>
        ["--require", Path.Combine(RepoPaths.Root, "scripts", "emulators", "owner-watch.js"), script, .. arguments];

    /// <summary>The emulator's environment: its port, its temp folder (TMPDIR, and the folder the owner watch removes) and <paramref name="extra"/>.</summary>
    public static IReadOnlyDictionary<string, string> EmulatorEnvironment(int port, string tempDirectory, IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["TMPDIR"] = tempDirectory,
            ["CAIRN_EMULATOR_DIR"] = tempDirectory,
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        return environment;
    }

    /// <summary>The path of node on PATH, or a failure naming the setup command.</summary>
    public static string RequireNode(string name) =>
        FindNode() ?? throw new InvalidOperationException($"node is not on PATH; it is needed for {name}: {SetupHint}");

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or refusing to die: nothing more a test can do.
        }
        _process.Dispose();
        try
        {
            Directory.Delete(TempDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task WaitForPortAsync(string name)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with code {_process.ExitCode}: {Output}");
            }
            // Both emulators announce their URL once listening. Waiting for our own child's announcement (and not
            // just for the port to answer) keeps us from mistaking another process that grabbed the port for ours.
            if (Output.Contains($"http://127.0.0.1:{Port}", StringComparison.Ordinal))
            {
                using var client = new TcpClient();
                try
                {
                    await client.ConnectAsync(IPAddress.Loopback, Port).ConfigureAwait(false);
                    return;
                }
                catch (SocketException)
                {
                }
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
        throw new TimeoutException($"{name} did not listen on port {Port} within {StartTimeout.TotalSeconds} s: {Output}");
    }

    private static string? FindNode()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "node");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            // Keep the tail only: a chatty emulator must not grow the test's memory.
            if (output.Length > 64 * 1024)
            {
                output.Remove(0, output.Length - 32 * 1024);
            }
            output.AppendLine(line);
        }
    }
}
