using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.Testing.Faults;

/// <summary>
/// A <c>cairn playground --restart-dead</c> run as a process tree for fault tests: pd and N stores, each its own
/// process; a child killed with SIGKILL is started again by the playground on the same address and data. Knows every
/// child's current pid, log and folders, so a test can kill pd or a store at any moment and then check what the stores
/// were left with (import mode, staged files). Dispose stops the tree; the folder belongs to the caller.
/// </summary>
public sealed partial class FaultCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    // The playground leaves a child down that dies again within 10 s of a restart (so a broken one does not loop).
    private static readonly TimeSpan RestartGiveUp = TimeSpan.FromSeconds(11);
    private readonly ProcessRunner _process;
    private readonly Dictionary<string, DateTime> _restartedAt = [];

    private FaultCluster(ProcessRunner process, string dir, int stores)
    {
        _process = process;
        Dir = dir;
        StoreCount = stores;
    }

    /// <summary>The playground's folder: <c>pd/</c>, <c>store{i}/</c> and one log per child.</summary>
    public string Dir { get; }

    /// <summary>pd's gRPC address, host:port.</summary>
    public string Pd { get; private set; } = "";

    /// <summary>pd's HTTP API base address.</summary>
    public string PdHttp { get; private set; } = "";

    /// <summary>How many stores the cluster has.</summary>
    public int StoreCount { get; }

    /// <summary>Starts a playground of <paramref name="stores"/> stores in <paramref name="dir"/> and waits until all are Up.</summary>
    public static async Task<FaultCluster> StartAsync(string dir, int stores)
    {
        Directory.CreateDirectory(dir);
        var cluster = new FaultCluster(
            ProcessRunner.StartCairn("playground", "--stores", stores.ToString(CultureInfo.InvariantCulture), "--dir", dir, "--restart-dead"), dir, stores);
        try
        {
            var ready = await cluster._process.WaitForLineAsync(Ready(), StartTimeout).ConfigureAwait(false);
            cluster.Pd = ready.Groups["pd"].Value;
            cluster.PdHttp = ready.Groups["http"].Value;
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The data folder of store <paramref name="index"/>.</summary>
    public string StoreDir(int index) => Path.Combine(Dir, $"store{index}");

    /// <summary>The import folder of store <paramref name="index"/> (downloads and staged SSTs).</summary>
    public string ImportDir(int index) => Path.Combine(StoreDir(index), "import");

    /// <summary>The log of a child (<c>pd</c> or <c>store{i}</c>), appended to across restarts.</summary>
    public string LogPath(string child) => Path.Combine(Dir, child + ".log");

    /// <summary>The current pid of <paramref name="child"/> (<c>pd</c> or <c>store{i}</c>): its last restart's, or its first start's.</summary>
    public int Pid(string child)
    {
        var lines = _process.StdoutLines;
        var restarted = lines.Select(l => Restarted().Match(l)).LastOrDefault(m => m.Success && m.Groups["name"].Value == child);
        if (restarted is not null)
        {
            return int.Parse(restarted.Groups["pid"].Value, CultureInfo.InvariantCulture);
        }

        if (child == "pd")
        {
            return int.Parse(lines.Select(l => PdStarted().Match(l)).First(m => m.Success).Groups["pid"].Value, CultureInfo.InvariantCulture);
        }

        var index = int.Parse(child.AsSpan("store".Length), CultureInfo.InvariantCulture);
        return int.Parse(lines.Select(l => StoreStarted().Match(l)).Where(m => m.Success).ElementAt(index).Groups["pid"].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// SIGKILL to <paramref name="child"/> (no chance to flush or answer anything), then waits, with a bound, until
    /// the playground has started it again and it is ready.
    /// </summary>
    public async Task KillAndAwaitRestartAsync(string child, TimeSpan timeout)
    {
        if (_restartedAt.TryGetValue(child, out var last) && DateTime.UtcNow - last < RestartGiveUp)
        {
            await Task.Delay(RestartGiveUp - (DateTime.UtcNow - last)).ConfigureAwait(false);
        }

        var before = Restarts(child);
        var pid = Pid(child);
        using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().ConfigureAwait(false);
        }

        await Eventually.UntilAsync(() => Restarts(child) > before || _process.HasExited, timeout,
            () => $"{child} (pid {pid}) restarted by the playground:\n{_process.Stdout}\n{_process.Stderr}").ConfigureAwait(false);
        if (Restarts(child) <= before)
        {
            throw new InvalidOperationException($"the playground exited before restarting {child}:\n{_process.Stderr}");
        }

        _restartedAt[child] = DateTime.UtcNow;
    }

    /// <summary>
    /// Files left in the stores' import folders (staged SSTs and unfinished downloads): empty once every job that
    /// imported into the cluster has ended, whichever way.
    /// </summary>
    public IReadOnlyList<string> LeftImportFiles() =>
        [.. Enumerable.Range(0, StoreCount).Select(ImportDir).Where(Directory.Exists).SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))];

    /// <summary>
    /// The stores whose log says they are still in import mode: an "Import mode on" line after their last
    /// "Import mode off" and after their last start (a started store is in normal mode).
    /// </summary>
    public IReadOnlyList<string> StoresInImportMode()
    {
        var stuck = new List<string>();
        for (var i = 0; i < StoreCount; i++)
        {
            var lines = File.ReadAllLines(LogPath($"store{i}"));
            var on = Array.FindLastIndex(lines, l => l.Contains("Import mode on", StringComparison.Ordinal));
            var off = Array.FindLastIndex(lines, l => l.Contains("Import mode off", StringComparison.Ordinal));
            var started = Array.FindLastIndex(lines, l => StoreListening().IsMatch(l));
            if (on >= 0 && on > Math.Max(off, started))
            {
                stuck.Add($"store{i} ({lines[on].Trim()})");
            }
        }

        return stuck;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await _process.DisposeAsync().ConfigureAwait(false);

    private int Restarts(string child) => _process.StdoutLines.Count(l => Restarted().Match(l) is { Success: true } m && m.Groups["name"].Value == child);

    [GeneratedRegex(@"^playground ready: pd (?:http://)?(?<pd>\S+) \(http (?<http>[^)\s]+)\)")]
    private static partial Regex Ready();

    [GeneratedRegex(@"^pd\s+pid (?<pid>\d+) ")]
    private static partial Regex PdStarted();

    [GeneratedRegex(@"^store \d+\s+pid (?<pid>\d+) ")]
    private static partial Regex StoreStarted();

    [GeneratedRegex(@"^(?<name>pd|store\d+) restarted: pid (?<pid>\d+)")]
    private static partial Regex Restarted();

    [GeneratedRegex(@"store \d+ listening on ")]
    private static partial Regex StoreListening();
}
