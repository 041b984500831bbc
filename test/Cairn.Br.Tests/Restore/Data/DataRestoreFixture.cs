using Cairn.Br.Backup;
using Cairn.Br.Cluster;
using Cairn.Br.Restore;
using Cairn.Br.Restore.Data;
using Cairn.Br.Tests.Backup;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Client.Txn;
using Cairn.Common.Codec;
using Cairn.Common.Keys;
using Cairn.Pd.Client;
using Cairn.Rpc.Backup;
using Cairn.Storage;
using Cairn.Storage.Backends;
using Cairn.Workloads;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.Tests.Restore.Data;

/// <summary>A 3-store cluster with a catalog and a br cluster connection, shared by the data restore tests (each uses its own databases and backup folder).</summary>
public sealed class DataRestoreFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public PdClient Pd { get; private set; } = null!;

    public TxnClient Client { get; private set; } = null!;

    public CatalogClient Catalog { get; private set; } = null!;

    internal ClusterConnection Connection { get; private set; } = null!;

    public TempDirectory Folder { get; } = new("br-restore-data");

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 3 });
        Pd = await Cluster.ConnectPdAsync();
        Client = new TxnClient(Pd);
        Catalog = new CatalogClient(Client, new CatalogOptions { SchemaLease = TimeSpan.FromMilliseconds(150), BatchSize = 64 });
        Connection = await ClusterConnection.ConnectAsync([Cluster.PdAddress], TimeSpan.FromSeconds(5), CancellationToken.None);
    }

    public static TableInfo Sbtest(string name) => new()
    {
        Name = new CIStr(name),
        Columns = [WorkloadColumns.Int("id", FieldType.AutoIncrementFlag), WorkloadColumns.Int("k"), WorkloadColumns.Text("c")],
        Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id"), WorkloadColumns.Index("k_idx", false, false, "k")],
    };

    /// <summary>Creates <paramref name="db"/>.<paramref name="name"/> with <paramref name="rows"/> rows (every fifth value too long to inline).</summary>
    public async Task<TableInfo> CreateLoadedTableAsync(string db, string name, int rows)
    {
        var info = await CreateEmptyTableAsync(db, name);
        var table = await Table.OpenAsync(Catalog, db, name);
        await table.InsertManyAsync(Enumerable.Range(1, rows).Select(i => (IReadOnlyDictionary<string, Datum>)new Dictionary<string, Datum>
        {
            ["id"] = Datum.FromInt64(i),
            ["k"] = Datum.FromInt64(i % 7),
            ["c"] = Datum.FromString(i % 5 == 0 ? new string('x', 200) + i : $"c{i}"),
        }));
        return info;
    }

    public async Task<TableInfo> CreateEmptyTableAsync(string db, string name)
    {
        if (await Catalog.GetDatabaseAsync(db) is null)
        {
            await Catalog.CreateDatabaseAsync(db);
        }

        return await Catalog.CreateTableAsync(db, Sbtest(name));
    }

    /// <summary>Backs up database <paramref name="db"/> into a fresh folder <paramref name="name"/> and reads what it holds.</summary>
    internal async Task<(string Folder, BackupContents Contents)> BackupAsync(string db, string name)
    {
        var folder = Folder.Sub(name);
        var options = new BackupOptions { PdAddresses = [Cluster.PdAddress], Storage = "local://" + folder, PdConnectTimeout = TimeSpan.FromSeconds(5), Kind = BackupKind.Database, Databases = [db] };
        var summary = await BackupJob.RunAsync(options);
        Assert.True(summary.Succeeded);
        return (folder, await BackupContents.ReadAsync(folder));
    }

    /// <summary>
    /// Loads <c>rd_{tag}_src.t</c> with <paramref name="rows"/> rows, backs its database up, creates the empty target
    /// <c>rd_{tag}_dst.t</c> and plans the restore into it.
    /// </summary>
    internal async Task<(TableInfo Source, string Folder, TableInfo Created, RestoreTableData Plan)> BackUpTableAsync(string tag, int rows)
    {
        var source = await CreateLoadedTableAsync($"rd_{tag}_src", "t", rows);
        var (folder, contents) = await BackupAsync($"rd_{tag}_src", tag);
        var created = await CreateEmptyTableAsync($"rd_{tag}_dst", "t");
        return (source, folder, created, Plan(contents, source, $"rd_{tag}_dst", created));
    }

    /// <summary>A raw backup of <c>[start, end)</c> into a fresh folder.</summary>
    internal async Task<(string Folder, BackupContents Contents)> BackupRawAsync(byte[] start, byte[] end, string name)
    {
        var folder = Folder.Sub(name);
        var options = new BackupOptions { PdAddresses = [Cluster.PdAddress], Storage = "local://" + folder, PdConnectTimeout = TimeSpan.FromSeconds(5), Kind = BackupKind.Raw, Raw = new RawBackupRange(start, end) };
        Assert.True((await BackupJob.RunAsync(options)).Succeeded);
        return (folder, await BackupContents.ReadAsync(folder));
    }

    /// <summary>What restoring the backed-up table <paramref name="old"/> into the created table <paramref name="created"/> needs: its files and rules matched by index name.</summary>
    internal static RestoreTableData Plan(BackupContents contents, TableInfo old, string db, TableInfo created)
    {
        var rules = new List<RewriteRule> { new(TableCodec.RecordPrefix(old.Id), TableCodec.RecordPrefix(created.Id)) };
        foreach (var index in old.Indexes)
        {
            var target = created.Indexes.Single(i => i.Name.L == index.Name.L);
            rules.Add(new RewriteRule(TableCodec.IndexPrefix(old.Id, index.Id), TableCodec.IndexPrefix(created.Id, target.Id)));
        }

        var files = contents.Files.Where(f => TableCodec.DecodeTableId(f.StartKey.Span) == old.Id).ToList();
        return new RestoreTableData(db, created.Name.O, old.Id, created.Id, files, rules);
    }

    internal static StorageBackend Backend(string folder) => StorageBackends.ToBackend(StorageUrl.Parse("local://" + folder), true);

    internal DataRestorer Restorer(string folder, ILogger logger, DataRestoreOptions? options = null, IProgress<BackupProgress>? progress = null,
        Func<Client.Regions.CachedRegion, CancellationToken, Task>? beforeIngest = null) =>
        new(Connection, Backend(folder), options ?? new DataRestoreOptions { Concurrency = 8 }, progress, logger) { BeforeIngest = beforeIngest };

    public async Task DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Client.DisposeAsync();
        await Pd.DisposeAsync();
        await Cluster.DisposeAsync();
        Folder.Dispose();
    }
}
