using System.Collections.Concurrent;
using System.Globalization;
using Cairn.Client.Catalog;
using Cairn.Client.Txn;
using Cairn.Pd.Client;

namespace Cairn.Faults.Tests;

/// <summary>
/// The source every fault case backs up or compares with, started once and shared by the test classes (each
/// <see cref="AcquireAsync"/>s it; the last <see cref="ReleaseAsync"/> stops it): cluster A (3 stores) loaded with a
/// bank of <see cref="Accounts"/> accounts and one sysbench table of <see cref="Rows"/> rows, split into many regions
/// so that jobs cross many of them; the GCS emulator, the cloud storage the storage-fault cases reach through a fault
/// proxy; and two base backups of A (local and GCS) taken under bank transfers, for the restore cases.
/// </summary>
public sealed class FaultSource
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static FaultSource? _shared;
    private static int _users;

    public const string BankDb = "fbank";
    public const string SysbenchDb = "fsb";
    public const int Accounts = 300;
    public const int Rows = 3000;
    public const string GcsBasePrefix = "base-gcs";

    private readonly List<IAsyncDisposable> _clients = [];
    private readonly ConcurrentDictionary<ulong, Lazy<Task<IReadOnlyDictionary<string, string>>>> _checksums = new();
    private readonly GcsEmulatorFixture _gcs = new();
    private int _names;

    public TempDirectory Dir { get; } = new("faults");

    public FaultCluster A { get; private set; } = null!;

    /// <summary>A's catalog, for the bank transfers that run during backups.</summary>
    public CatalogClient CatalogA { get; private set; } = null!;

    /// <summary>A's table ids by qualified name (a restored table gets a new id; checksums hash it as the old one).</summary>
    public IReadOnlyDictionary<string, long> TableIds { get; private set; } = new Dictionary<string, long>();

    /// <summary>The base backup of A on local storage, and its backup TS.</summary>
    public (string Url, ulong Ts) LocalBackup { get; private set; }

    /// <summary>The base backup of A in the GCS emulator (reached directly), and its backup TS.</summary>
    public (string Url, ulong Ts) GcsBackup { get; private set; }

    /// <summary>A name no other case uses (restored databases, backup folders).</summary>
    public string NewName(string prefix) => $"{prefix}{Interlocked.Increment(ref _names)}";

    /// <summary>The GCS URL of <paramref name="prefix"/> in the emulator's bucket, through <paramref name="endpoint"/> (the emulator itself by default).</summary>
    public string GcsUrl(string prefix, string? endpoint = null) =>
        $"gcs://{_gcs.Bucket}/{prefix}?endpoint={Uri.EscapeDataString(endpoint ?? _gcs.Endpoint)}";

    /// <summary>The GCS emulator's base address.</summary>
    public Uri GcsEndpoint => new(_gcs.Endpoint);

    /// <summary>
    /// <c>cairn table checksum</c> of each loaded table in A at <paramref name="ts"/>, computed once per TS (the restore
    /// cases compare with the base backups' TS while other cases may be killing A's stores).
    /// </summary>
    public Task<IReadOnlyDictionary<string, string>> ChecksumsAtAsync(ulong ts) =>
        _checksums.GetOrAdd(ts, t => new Lazy<Task<IReadOnlyDictionary<string, string>>>(() => ComputeChecksumsAsync(t))).Value;

    /// <summary>The shared source, started by the first caller.</summary>
    public static async Task<FaultSource> AcquireAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_shared is null)
            {
                var source = new FaultSource();
                await source.InitializeAsync();
                _shared = source;
            }

            _users++;
            return _shared;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Stops the shared source once its last user is done with it.</summary>
    public static async Task ReleaseAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (--_users == 0 && _shared is { } source)
            {
                _shared = null;
                await source.DisposeAsync();
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private async Task InitializeAsync()
    {
        var gcs = _gcs.InitializeAsync();
        var a = FaultCluster.StartAsync(Dir.Sub("a"), 3);
        try
        {
            // Both are awaited before anything can fail, so that a failure stops whichever did start.
            await Task.WhenAll(gcs, a).ContinueWith(_ => { }, TaskScheduler.Default);
            A = await a;
            await gcs;
            await Task.WhenAll(
                Jobs.CairnAsync("workload", "sysbench", "--pd", A.Pd, "--db", SysbenchDb, "--tables", "1", "--rows", $"{Rows}"),
                Jobs.CairnAsync("workload", "bank", "--pd", A.Pd, "--db", BankDb, "--accounts", $"{Accounts}", "--workers", "2", "--transfers", "10"));
            var ids = new Dictionary<string, long>();
            foreach (var (db, table) in new[] { (BankDb, "accounts"), (SysbenchDb, "sbtest1") })
            {
                var listing = await Jobs.CairnAsync("table", "ls", db, "--pd", A.Pd);
                var line = listing.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).First(p => p.Length >= 2 && p[1] == table);
                ids[$"{db}.{table}"] = long.Parse(line[0], CultureInfo.InvariantCulture);
            }

            TableIds = ids;
            // Many regions: a job crosses them all, so a fault lands in the middle of it.
            await SplitStorm.SplitEvenlyAsync(A.Pd, [(ids[$"{BankDb}.accounts"], Accounts), (ids[$"{SysbenchDb}.sbtest1"], Rows)], pieces: 24);
            var pd = await PdClient.ConnectAsync([A.Pd]);
            _clients.Add(pd);
            var txn = new TxnClient(pd);
            _clients.Insert(0, txn);
            CatalogA = new CatalogClient(txn, new CatalogOptions { SchemaLease = TimeSpan.FromMilliseconds(150), BatchSize = 64 });
            await using var jobs = new Jobs(this, A);
            LocalBackup = await jobs.BackUpCleanlyAsync("local://" + Dir.Sub("base-local"));
            GcsBackup = await jobs.BackUpCleanlyAsync(GcsUrl(GcsBasePrefix));
            await Task.WhenAll(ChecksumsAtAsync(LocalBackup.Ts), ChecksumsAtAsync(GcsBackup.Ts));
        }
        catch
        {
            A = a.IsCompletedSuccessfully ? await a : null!;
            await DisposeAsync();
            throw;
        }
    }

    private async Task<IReadOnlyDictionary<string, string>> ComputeChecksumsAsync(ulong ts)
    {
        var at = ts.ToString(CultureInfo.InvariantCulture);
        string[] tables = [$"{BankDb}.accounts", $"{SysbenchDb}.sbtest1"];
        var sums = await Task.WhenAll(tables.Select(t => Jobs.CairnAsync("table", "checksum", t, "--pd", A.Pd, "--at", at)));
        return tables.Zip(sums).ToDictionary(p => p.First, p => p.Second.Trim());
    }

    private async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        _clients.Clear();
        if (A is not null)
        {
            await A.DisposeAsync();
        }

        await _gcs.DisposeAsync();
        Dir.Dispose();
    }
}
