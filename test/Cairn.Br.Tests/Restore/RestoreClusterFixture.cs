using Cairn.Client.Catalog;
using Cairn.Client.Txn;
using Cairn.Pd.Client;

namespace Cairn.Br.Tests.Restore;

/// <summary>
/// A source cluster the tests back up from and a fresh target cluster they restore into (3 stores each), shared by
/// the restore tests; each test uses its own databases and storage folder.
/// </summary>
public sealed class RestoreClusterFixture : IAsyncLifetime
{
    public TestCluster Source { get; private set; } = null!;

    public TestCluster Target { get; private set; } = null!;

    public CatalogClient SourceCatalog { get; private set; } = null!;

    public CatalogClient TargetCatalog { get; private set; } = null!;

    public TempDirectory Folder { get; } = new("br-restore");

    private PdClient _sourcePd = null!;
    private PdClient _targetPd = null!;
    private TxnClient _sourceClient = null!;
    private TxnClient _targetClient = null!;

    public TxnClient TargetClient => _targetClient;

    public async Task InitializeAsync()
    {
        Source = await TestCluster.StartAsync(new TestClusterOptions { Stores = 3 });
        Target = await TestCluster.StartAsync(new TestClusterOptions { Stores = 3 });
        _sourcePd = await Source.ConnectPdAsync();
        _targetPd = await Target.ConnectPdAsync();
        _sourceClient = new TxnClient(_sourcePd);
        _targetClient = new TxnClient(_targetPd);
        SourceCatalog = new CatalogClient(_sourceClient, new CatalogOptions { SchemaLease = TimeSpan.FromMilliseconds(150), BatchSize = 64 });
        TargetCatalog = new CatalogClient(_targetClient, new CatalogOptions { SchemaLease = TimeSpan.FromMilliseconds(150), BatchSize = 64 });
    }

    /// <summary>Backs up what <paramref name="options"/> selects from the source into the folder <paramref name="name"/>.</summary>
    public async Task<BackupSummary> BackUpAsync(string name, Func<BackupOptions, BackupOptions> options) =>
        await BackupJob.RunAsync(options(new BackupOptions { PdAddresses = [Source.PdAddress], Storage = Storage(name), PdConnectTimeout = TimeSpan.FromSeconds(5) }));

    /// <summary>Restore options reading the folder <paramref name="name"/> into the target cluster.</summary>
    public RestoreOptions Restore(string name) => new() { PdAddresses = [Target.PdAddress], Storage = Storage(name), PdConnectTimeout = TimeSpan.FromSeconds(5), Concurrency = 8 };

    public string Storage(string name) => "local://" + Folder.Sub(name);

    /// <summary>Names of the target's databases, for "nothing was created" checks.</summary>
    public async Task<IReadOnlyList<string>> TargetDatabasesAsync() => (await TargetCatalog.ListDatabasesAsync()).Select(d => d.Name.O).Order(StringComparer.Ordinal).ToList();

    public async Task DisposeAsync()
    {
        await _sourceClient.DisposeAsync();
        await _targetClient.DisposeAsync();
        await _sourcePd.DisposeAsync();
        await _targetPd.DisposeAsync();
        await Source.DisposeAsync();
        await Target.DisposeAsync();
        Folder.Dispose();
    }
}
