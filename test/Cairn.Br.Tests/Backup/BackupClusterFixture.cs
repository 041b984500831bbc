using Cairn.Client.Catalog;
using Cairn.Client.Txn;
using Cairn.Pd.Client;

namespace Cairn.Br.Tests.Backup;

/// <summary>A 3-store cluster with a catalog, shared by the backup tests (each uses its own databases and storage folder).</summary>
public sealed class BackupClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public PdClient Pd { get; private set; } = null!;

    public TxnClient Client { get; private set; } = null!;

    public CatalogClient Catalog { get; private set; } = null!;

    public TempDirectory Folder { get; } = new("br-backup");

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 3 });
        Pd = await Cluster.ConnectPdAsync();
        Client = new TxnClient(Pd);
        Catalog = new CatalogClient(Client, new CatalogOptions { SchemaLease = TimeSpan.FromMilliseconds(150), BatchSize = 64 });
    }

    /// <summary>Options for a backup of this cluster into a fresh folder named <paramref name="name"/>.</summary>
    public BackupOptions Options(string name) => new() { PdAddresses = [Cluster.PdAddress], Storage = "local://" + Folder.Sub(name), PdConnectTimeout = TimeSpan.FromSeconds(5) };

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Pd.DisposeAsync();
        await Cluster.DisposeAsync();
        Folder.Dispose();
    }
}
