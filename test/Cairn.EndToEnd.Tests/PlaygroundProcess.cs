using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.EndToEnd.Tests;

/// <summary>
/// A <c>cairn playground</c> run as a process tree (pd and stores), started until its ready line and stopped with
/// SIGTERM (then killed) on dispose, with its folder removed.
/// </summary>
internal sealed partial class PlaygroundProcess : IAsyncDisposable
{
    private readonly ProcessRunner _process;
    private readonly TempDirectory _dir;

    private PlaygroundProcess(ProcessRunner process, TempDirectory dir)
    {
        _process = process;
        _dir = dir;
    }

    /// <summary>The playground's folder (data and one log per child).</summary>
    public string Dir => _dir.Path;

    /// <summary>pd's gRPC address, host:port.</summary>
    public string Pd { get; private set; } = "";

    /// <summary>pd's HTTP API base address, e.g. <c>http://127.0.0.1:2380</c>.</summary>
    public string PdHttp { get; private set; } = "";

    public int Pid => _process.Pid;

    public bool HasExited => _process.HasExited;

    /// <summary>What the playground printed on stdout so far.</summary>
    public IReadOnlyList<string> Stdout => _process.StdoutLines;

    /// <summary>What the playground printed on stderr so far.</summary>
    public string Stderr => _process.Stderr;

    public static async Task<PlaygroundProcess> StartAsync(int stores, params string[] extraArgs)
    {
        var dir = new TempDirectory("e2e");
        var playground = new PlaygroundProcess(
            ProcessRunner.StartCairn(["playground", "--stores", stores.ToString(CultureInfo.InvariantCulture), "--dir", dir.Path, .. extraArgs]), dir);
        try
        {
            var match = await playground._process.WaitForLineAsync(ReadyLine(), TimeSpan.FromMinutes(2));
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
    public async Task<string> WaitForLineAsync(Regex pattern, TimeSpan timeout) => (await _process.WaitForLineAsync(pattern, timeout)).Value;

    /// <summary>SIGTERM to the playground itself, then its exit code (killed, and a throw, past the bound).</summary>
    public Task<int> TerminateAsync(TimeSpan timeout) => _process.TerminateAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        // SIGTERM: the playground stops its children itself; the runner kills the tree if it does not.
        await _process.DisposeAsync();
        _dir.Dispose();
    }

    [GeneratedRegex(@"^playground ready: pd (?:http://)?(?<pd>\S+) \(http (?<http>[^)\s]+)\)")]
    private static partial Regex ReadyLine();
}
