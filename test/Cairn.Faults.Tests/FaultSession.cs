using System.Globalization;

namespace Cairn.Faults.Tests;

/// <summary>
/// One fault injected into one br job: what is set up before br starts (a split storm, a fault proxy, a tiny tmpfs),
/// what happens while it runs (a SIGKILL at a random point after the job has started), and how the fault is lifted
/// before a re-run. Every choice comes from the seed and is written to <see cref="Notes"/>, so a case can be replayed.
/// </summary>
internal sealed class FaultSession : IAsyncDisposable
{
    // Small enough that one backup file or one downloaded SST of the loaded tables does not fit.
    private const long TinyDisk = 16 * 1024;
    private const long RoomyDisk = 512L * 1024 * 1024;

    private readonly FaultKind? _kind;
    private readonly FaultCluster _target;
    private readonly Random _random;
    private readonly List<string> _notes = [];
    private SplitStorm? _storm;
    private FaultProxy? _proxy;
    private Tmpfs? _disk;
    private bool _keepDisk;
    private bool _lifted;

    private FaultSession(FaultKind? kind, FaultCluster target, Random random)
    {
        _kind = kind;
        _target = target;
        _random = random;
    }

    /// <summary>What was injected, when and where (one entry a step).</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Why the fault could not be set up here (tmpfs refused); the case is skipped with it.</summary>
    public string? Refusal { get; private set; }

    /// <summary>The storage URL the first run uses (through the proxy, or on the tmpfs); null: the job's own.</summary>
    public string? FaultyUrl { get; private set; }

    /// <summary>Whether the fault kills br itself, whose exit is then a signal's, not a failure's.</summary>
    public bool KillsBr => _kind == FaultKind.BrKill;

    /// <summary>
    /// Sets the fault up for a job against <paramref name="target"/>: for a backup (<paramref name="backup"/>) the
    /// storage is <paramref name="storagePath"/> (a local folder) or <paramref name="gcsPrefix"/> in GCS; a restore
    /// reads <paramref name="storageUrl"/>.
    /// </summary>
    public static async Task<FaultSession> OpenAsync(FaultKind? kind, bool backup, FaultCluster target, FaultSource source, int seed,
        string storagePath, string gcsPrefix, IReadOnlyList<(long TableId, long MaxHandle)> tables)
    {
        var session = new FaultSession(kind, target, new Random(seed));
        session._notes.Add(kind is null ? "no fault" : $"{kind} (seed {seed})");
        switch (kind)
        {
            case FaultKind.SplitStorm:
                session._storm = SplitStorm.Start(target.Pd, tables, seed, TimeSpan.FromMilliseconds(300));
                break;
            case FaultKind.StorageFaults:
                // About one request in ten answered 503, one eligible response in ten cut mid-body, one in seven held back.
                session._proxy = FaultProxy.Start(source.GcsEndpoint, new FaultProxyOptions
                {
                    ServiceUnavailableEvery = 10,
                    DropResponseEvery = 10,
                    DropMinBodyBytes = 256,
                    SlowResponseEvery = 7,
                    SlowResponseDelay = TimeSpan.FromMilliseconds(400),
                });
                session.FaultyUrl = source.GcsUrl(gcsPrefix, session._proxy.Endpoint.ToString().TrimEnd('/'));
                break;
            case FaultKind.DiskFull when backup:
                (session._disk, session.Refusal) = await Tmpfs.TryMountAsync(storagePath, TinyDisk);
                session._keepDisk = true;
                session._notes.Add($"backup folder on a {TinyDisk / 1024} KiB tmpfs");
                break;
            case FaultKind.DiskFull:
                var store = session._random.Next(target.StoreCount);
                (session._disk, session.Refusal) = await Tmpfs.TryMountAsync(target.ImportDir(store), TinyDisk);
                // The store writes its downloads into .temp/, which it made before the tmpfs covered the folder.
                if (session._disk is not null)
                {
                    Directory.CreateDirectory(Path.Combine(target.ImportDir(store), ".temp"));
                }

                session._notes.Add($"store{store}'s import folder on a {TinyDisk / 1024} KiB tmpfs");
                break;
        }

        return session;
    }

    /// <summary>
    /// Runs beside the job: for a kill, waits until br has started its job (its first progress line), then a random
    /// 0–1.5 s (0–0.4 s for br), then kills (a killed pd or store is awaited until the playground has restarted it).
    /// </summary>
    public async Task RunAlongsideAsync(ProcessRunner br, TimeSpan timeout)
    {
        if (_kind is not (FaultKind.StoreKill or FaultKind.PdKill or FaultKind.BrKill))
        {
            return;
        }

        var started = DateTime.UtcNow;
        await Eventually.UntilAsync(() => br.HasExited || br.Stderr.Contains("[progress]", StringComparison.Ordinal), timeout, "br to start its job");
        // br's own jobs here last a few seconds: kill it early enough to land inside one.
        var delay = _random.Next(0, _kind == FaultKind.BrKill ? 400 : 1500);
        await Task.WhenAny(br.Exited, Task.Delay(delay));
        if (br.HasExited)
        {
            _notes.Add($"br ended before the kill (+{delay} ms after its first progress line)");
            return;
        }

        var at = (DateTime.UtcNow - started).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
        switch (_kind)
        {
            case FaultKind.BrKill:
                _notes.Add($"br SIGKILLed at +{at} ms");
                await br.KillAsync();
                break;
            case FaultKind.PdKill:
                _notes.Add($"pd SIGKILLed at +{at} ms");
                await _target.KillAndAwaitRestartAsync("pd", timeout);
                _notes.Add("pd restarted");
                break;
            default:
                var store = $"store{_random.Next(_target.StoreCount)}";
                _notes.Add($"{store} SIGKILLed at +{at} ms");
                await _target.KillAndAwaitRestartAsync(store, timeout);
                _notes.Add($"{store} restarted");
                break;
        }
    }

    /// <summary>
    /// The fault goes away (storm stopped, proxy closed, disk grown or unmounted); files left on a tiny import disk are
    /// returned, since unmounting would hide them.
    /// </summary>
    public async Task<IReadOnlyList<string>> LiftAsync()
    {
        if (_lifted)
        {
            return [];
        }

        _lifted = true;
        var left = new List<string>();
        if (_storm is not null)
        {
            await _storm.DisposeAsync();
            _notes.Add("storm: " + _storm.Describe());
            _storm = null;
        }

        if (_proxy is not null)
        {
            _notes.Add($"proxy: {_proxy.Requests} requests, {_proxy.InjectedErrors} answered 503, {_proxy.DroppedResponses} cut, {_proxy.SlowedResponses} slowed");
            await _proxy.DisposeAsync();
            _proxy = null;
        }

        if (_disk is not null)
        {
            if (_keepDisk)
            {
                await _disk.ResizeAsync(RoomyDisk);
                _notes.Add("backup folder grown");
            }
            else
            {
                left.AddRange(Directory.EnumerateFiles(_disk.Path, "*", SearchOption.AllDirectories));
                await _disk.UnmountAsync();
                _notes.Add("import tmpfs removed");
            }
        }

        return left;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await LiftAsync();
        if (_disk is not null)
        {
            await _disk.DisposeAsync();
        }
    }
}
