using System.Text.RegularExpressions;
using Cairn.Client.Catalog;
using Cairn.Client.Txn;
using Cairn.Pd.Client;
using Cairn.Rpc.Metapb;
using Cairn.Workloads;

namespace Cairn.Br.Tests.Secrets;

/// <summary>
/// pd and 3 stores as separate <c>cairn</c> processes logging at debug level, with the S3 keys of the test's
/// radosgw in the stores' environment (what <c>--send-credentials-to-tikv=false</c> falls back to), and one loaded
/// sysbench table. Started by the first test that needs it, with the keys it passes.
/// </summary>
public sealed partial class ProcessClusterFixture : IAsyncLifetime
{
    public const string Database = "scan_sb";
    public const int Rows = 200;

    private readonly SemaphoreSlim _start = new(1, 1);
    private readonly List<ProcessRunner> _stores = [];
    private ProcessRunner? _pd;

    public TempDirectory Dir { get; } = new("br-secrets");

    public string Pd { get; private set; } = "";

    public IReadOnlyList<ProcessRunner> Stores => _stores;

    /// <summary>Everything the stores printed so far (their logs: a store logs to standard error).</summary>
    public string StoreOutput => string.Join("\n", _stores.Select(s => s.Stdout + "\n" + s.Stderr));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task StartAsync(string accessKey, string secretKey)
    {
        await _start.WaitAsync();
        try
        {
            if (_pd is not null)
            {
                return;
            }

            _pd = ProcessRunner.StartCairn("pd", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--data-dir", Dir.Sub("pd"));
            Pd = (await _pd.WaitForLineAsync(PdReady(), TimeSpan.FromMinutes(1))).Groups["grpc"].Value;
            var environment = new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = accessKey, ["AWS_SECRET_ACCESS_KEY"] = secretKey };
            // The first store bootstraps the cluster; the other two join it together.
            await StartStoreAsync(0, environment);
            await Task.WhenAll(StartStoreAsync(1, environment), StartStoreAsync(2, environment));
            await using var pd = await PdClient.ConnectAsync([Pd]);
            await Eventually.UntilAsync(async () => (await pd.GetAllStoresAsync()).Count(s => s.State == StoreState.Up) == 3, TimeSpan.FromMinutes(1), "3 stores Up");
            await using var txn = new TxnClient(pd);
            var catalog = new CatalogClient(txn, new CatalogOptions { SchemaLease = TimeSpan.FromMilliseconds(150), BatchSize = 64 });
            await new SysbenchWorkload(catalog) { Database = Database, Tables = 1, Rows = Rows, BatchSize = Rows }.LoadAsync();
        }
        finally
        {
            _start.Release();
        }
    }

    private async Task StartStoreAsync(int index, Dictionary<string, string?> environment)
    {
        var store = ProcessRunner.Start(ProcessRunner.DotnetHost,
            [ProcessRunner.CairnDll, "store", "--addr", "127.0.0.1:0", "--pd", Pd, "--data-dir", Dir.Sub($"store{index}"), "--log-level", "debug"], environment);
        lock (_stores)
        {
            _stores.Add(store);
        }

        await store.WaitForLineAsync(StoreReady(), TimeSpan.FromMinutes(1));
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        if (_pd is not null)
        {
            await _pd.DisposeAsync();
        }

        Dir.Dispose();
    }

    [GeneratedRegex(@"^pd ready: grpc (?<grpc>\S+) http")]
    private static partial Regex PdReady();

    [GeneratedRegex(@"^store \d+ listening on \S+")]
    private static partial Regex StoreReady();
}
