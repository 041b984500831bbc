using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.Br.Tests.Cli;

/// <summary>
/// <c>cairn playground --restart-dead</c> as a process: pd and N stores, each its own process, a store that dies is
/// restarted on the same address and data. Knows each store's pid, so a test can SIGKILL one. Dispose stops the
/// tree and removes the folder.
/// </summary>
internal sealed partial class Playground : IAsyncDisposable
{
    private readonly ProcessRunner _process;
    private readonly TempDirectory _dir;

    private Playground(ProcessRunner process, TempDirectory dir)
    {
        _process = process;
        _dir = dir;
    }

    public string Dir => _dir.Path;

    public string Pd { get; private set; } = "";

    public int StoreCount { get; private set; }

    public static async Task<Playground> StartAsync(int stores)
    {
        var dir = new TempDirectory("br-e2e");
        var playground = new Playground(ProcessRunner.StartCairn(["playground", "--stores", stores.ToString(CultureInfo.InvariantCulture), "--dir", dir.Path, "--restart-dead"]), dir);
        try
        {
            var ready = await playground._process.WaitForLineAsync(Ready(), TimeSpan.FromMinutes(2));
            playground.Pd = ready.Groups["pd"].Value;
            playground.StoreCount = stores;
            return playground;
        }
        catch
        {
            await playground.DisposeAsync();
            throw;
        }
    }

    /// <summary>The data folders of the stores (what a backup reads, what <c>tar</c> would copy).</summary>
    public IEnumerable<string> StoreDirs => Enumerable.Range(0, StoreCount).Select(i => Path.Combine(Dir, $"store{i}"));

    /// <summary>The current pid of the <paramref name="index"/>th store started (its restart's, once restarted).</summary>
    public int StorePid(int index)
    {
        var lines = _process.StdoutLines;
        var restarted = lines.Select(l => Restarted().Match(l)).LastOrDefault(m => m.Success && m.Groups["name"].Value == $"store{index}");
        if (restarted is not null)
        {
            return int.Parse(restarted.Groups["pid"].Value, CultureInfo.InvariantCulture);
        }

        var started = lines.Select(l => Started().Match(l)).Where(m => m.Success).ElementAt(index);
        return int.Parse(started.Groups["pid"].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>SIGKILL to one store: no chance to flush or answer anything.</summary>
    public void KillStore(int index)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-KILL", StorePid(index).ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Waits, with a bound, until the playground has restarted store <paramref name="index"/>.</summary>
    public Task WaitForRestartAsync(int index, TimeSpan timeout) =>
        _process.WaitForLineAsync(new Regex($"^store{index} restarted: pid \\d+"), timeout);

    /// <summary>Runs <c>cairn ARGS</c> against this cluster to its end and fails the test if it does not exit 0.</summary>
    public async Task CairnAsync(TimeSpan timeout, params string[] args)
    {
        var (exit, stdout, stderr) = await ProcessRunner.RunCairnAsync(timeout, args);
        Assert.True(exit == 0, $"cairn {string.Join(' ', args)} exited with {exit}:\n{stdout}\n{stderr}");
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _dir.Dispose();
    }

    [GeneratedRegex(@"^playground ready: pd (?:http://)?(?<pd>\S+) \(http")]
    private static partial Regex Ready();

    [GeneratedRegex(@"^store \d+\s+pid (?<pid>\d+) ")]
    private static partial Regex Started();

    [GeneratedRegex(@"^(?<name>store\d+) restarted: pid (?<pid>\d+)")]
    private static partial Regex Restarted();
}
