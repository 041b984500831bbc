using Cairn.Client.Catalog;
using Cairn.Client.Txn;
using Cairn.Pd.Client;

namespace Cairn.Cluster.Tests.Workloads;

/// <summary>A 3-store cluster and a staging root shared by the bulk load tests; each test uses its own databases.</summary>
public sealed class BulkLoadFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public PdClient Pd { get; private set; } = null!;

    public TxnClient Client { get; private set; } = null!;

    public CatalogClient Catalog { get; private set; } = null!;

    public TempDirectory Staging { get; } = new("bulk-staging");

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 3 });
        Pd = await Cluster.ConnectPdAsync();
        Client = new TxnClient(Pd);
        Catalog = new CatalogClient(Client, new CatalogOptions { SchemaLease = TimeSpan.FromMilliseconds(150) });
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Pd.DisposeAsync();
        await Cluster.DisposeAsync();
        Staging.Dispose();
    }
}
