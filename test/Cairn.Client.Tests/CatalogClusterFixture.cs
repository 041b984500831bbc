using Cairn.Client.Catalog;
using Cairn.Client.Txn;
using Cairn.Pd.Client;

namespace Cairn.Client.Tests;

/// <summary>A 2-store cluster with a catalog, shared by the catalog and table tests (each uses its own database).</summary>
public sealed class CatalogClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public PdClient Pd { get; private set; } = null!;

    public TxnClient Client { get; private set; } = null!;

    public CatalogClient Catalog { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 2 });
        Pd = await Cluster.ConnectPdAsync();
        Client = new TxnClient(Pd);
        Catalog = new CatalogClient(Client, new CatalogOptions { SchemaLease = TimeSpan.FromMilliseconds(150), BatchSize = 64 });
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Pd.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
