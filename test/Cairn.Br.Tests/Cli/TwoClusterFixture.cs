using Cairn.Client.Catalog;
using Cairn.Client.Txn;
using Cairn.Pd.Client;

namespace Cairn.Br.Tests.Cli;

/// <summary>
/// Two 3-store playgrounds as processes: A, loaded through <c>cairn workload</c> processes with sysbench (with its
/// secondary index), bank and catalog-zoo, plus <c>e2e_big</c> (enough data that a rate-limited restore of it runs for
/// seconds), and B, fresh. Library clients of both are open for checks. Started once for the class.
/// </summary>
public sealed class TwoClusterFixture : IAsyncLifetime
{
    public const string Sysbench = "e2e_sb";
    public const int SysbenchTables = 2;
    public const int SysbenchRows = 1500;
    public const string Bank = "e2e_bank";
    public const int BankAccounts = 40;
    public const string Zoo = "e2e_zoo";
    public const int ZooRows = 32;
    public const string Big = "e2e_big";
    public const int BigTables = 2;
    public const int BigRows = 6000;

    private readonly List<IAsyncDisposable> _clients = [];

    internal Playground A { get; private set; } = null!;

    internal Playground B { get; private set; } = null!;

    public TempDirectory Dir { get; } = new("br-two-clusters");

    public PdClient PdA { get; private set; } = null!;

    public PdClient PdB { get; private set; } = null!;

    public TxnClient ClientA { get; private set; } = null!;

    public TxnClient ClientB { get; private set; } = null!;

    public CatalogClient CatalogA { get; private set; } = null!;

    public CatalogClient CatalogB { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var a = Playground.StartAsync(3);
        var b = Playground.StartAsync(3);
        try
        {
            // Both are awaited before anything can fail, so that a failure stops whichever did start.
            await Task.WhenAll(a, b).ContinueWith(_ => { }, TaskScheduler.Default);
            A = await a;
            B = await b;
            await Task.WhenAll(
                A.CairnAsync(TimeSpan.FromMinutes(4), "workload", "sysbench", "--pd", A.Pd, "--db", Sysbench, "--tables", $"{SysbenchTables}", "--rows", $"{SysbenchRows}"),
                A.CairnAsync(TimeSpan.FromMinutes(4), "workload", "bank", "--pd", A.Pd, "--db", Bank, "--accounts", $"{BankAccounts}", "--workers", "2", "--transfers", "10"),
                A.CairnAsync(TimeSpan.FromMinutes(4), "workload", "catalog-zoo", "--pd", A.Pd, "--db", Zoo, "--rows", $"{ZooRows}"),
                A.CairnAsync(TimeSpan.FromMinutes(4), "workload", "sysbench", "--pd", A.Pd, "--db", Big, "--tables", $"{BigTables}", "--rows", $"{BigRows}"));
            (PdA, ClientA, CatalogA) = await ConnectAsync(A.Pd);
            (PdB, ClientB, CatalogB) = await ConnectAsync(B.Pd);
        }
        catch
        {
            A = a.IsCompletedSuccessfully ? await a : null!;
            B = b.IsCompletedSuccessfully ? await b : null!;
            await DisposeAsync();
            throw;
        }
    }

    private async Task<(PdClient, TxnClient, CatalogClient)> ConnectAsync(string pd)
    {
        var client = await PdClient.ConnectAsync([pd]);
        _clients.Add(client);
        var txn = new TxnClient(client);
        _clients.Insert(0, txn);
        return (client, txn, new CatalogClient(txn, new CatalogOptions { SchemaLease = TimeSpan.FromMilliseconds(150), BatchSize = 64 }));
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        foreach (var playground in new[] { A, B })
        {
            if (playground is not null)
            {
                await playground.DisposeAsync();
            }
        }

        Dir.Dispose();
    }
}
