namespace Cairn.Br.Tests.Cli;

/// <summary>
/// One 3-store playground for the end-to-end tests, loaded once: databases <c>shop</c> (3 sysbench tables) and
/// <c>crm</c> (2), and <c>big</c> (enough data that a rate-limited backup of it runs for seconds).
/// </summary>
public sealed class PlaygroundFixture : IAsyncLifetime
{
    private Playground? _playground;

    internal Playground Cluster => _playground ?? throw new InvalidOperationException("the playground did not start");

    public string Pd => Cluster.Pd;

    public async Task InitializeAsync()
    {
        _playground = await Playground.StartAsync(3);
        await Task.WhenAll(
            Cluster.CairnAsync(TimeSpan.FromMinutes(3), "workload", "sysbench", "--pd", Pd, "--db", "shop", "--tables", "3", "--rows", "2000"),
            Cluster.CairnAsync(TimeSpan.FromMinutes(3), "workload", "sysbench", "--pd", Pd, "--db", "crm", "--tables", "2", "--rows", "1000"),
            Cluster.CairnAsync(TimeSpan.FromMinutes(5), "workload", "sysbench", "--pd", Pd, "--db", "big", "--tables", "3", "--rows", "10000"));
    }

    public async Task DisposeAsync()
    {
        if (_playground is not null)
        {
            await _playground.DisposeAsync();
        }
    }
}
