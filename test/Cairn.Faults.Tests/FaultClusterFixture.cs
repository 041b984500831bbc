using System.Globalization;
using Cairn.Client.Catalog;
using Cairn.Client.Txn;
using Cairn.Pd.Client;

namespace Cairn.Faults.Tests;

/// <summary>
/// What every fault case runs against, started once: cluster A (3 stores) loaded with a bank of
/// <see cref="Accounts"/> accounts and one sysbench table of <see cref="Rows"/> rows, split into many regions so that
/// jobs cross many of them; cluster B (3 stores), the target of every restore; and the GCS emulator, the cloud
/// storage the storage-fault cases reach through a fault proxy. Also holds two base backups of A (local and GCS),
/// taken under bank transfers, for the restore cases.
/// </summary>
public sealed class FaultClusterFixture : IAsyncLifetime
{
    public const string BankDb = "fbank";
    public const string SysbenchDb = "fsb";
    public const int Accounts = 300;
    public const int Rows = 3000;
    public const string GcsBasePrefix = "base-gcs";

    private readonly List<IAsyncDisposable> _clients = [];
    private readonly GcsEmulatorFixture _gcs = new();
    private int _names;

    public TempDirectory Dir { get; } = new("faults");

    public FaultCluster A { get; private set; } = null!;

    public FaultCluster B { get; private set; } = null!;

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

    public async Task InitializeAsync()
    {
        var gcs = _gcs.InitializeAsync();
        var a = FaultCluster.StartAsync(Dir.Sub("a"), 3);
        var b = FaultCluster.StartAsync(Dir.Sub("b"), 3);
        try
        {
            // All are awaited before anything can fail, so that a failure stops whichever did start.
            await Task.WhenAll(gcs, a, b).ContinueWith(_ => { }, TaskScheduler.Default);
            A = await a;
            B = await b;
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
            await SplitStorm.SplitEvenlyAsync(A.Pd, [(ids[$"{BankDb}.accounts"], Accounts), (ids[$"{SysbenchDb}.sbtest1"], Rows)], pieces: 12);
            var pd = await PdClient.ConnectAsync([A.Pd]);
            _clients.Add(pd);
            var txn = new TxnClient(pd);
            _clients.Insert(0, txn);
            CatalogA = new CatalogClient(txn, new CatalogOptions { SchemaLease = TimeSpan.FromMilliseconds(150), BatchSize = 64 });
            var jobs = new Jobs(this);
            LocalBackup = await jobs.BackUpCleanlyAsync("local://" + Dir.Sub("base-local"));
            GcsBackup = await jobs.BackUpCleanlyAsync(GcsUrl(GcsBasePrefix));
        }
        catch
        {
            A = a.IsCompletedSuccessfully ? await a : null!;
            B = b.IsCompletedSuccessfully ? await b : null!;
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        _clients.Clear();
        foreach (var cluster in new[] { A, B })
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
        }

        await _gcs.DisposeAsync();
        Dir.Dispose();
    }
}
