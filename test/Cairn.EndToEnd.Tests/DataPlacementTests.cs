using System.Text.Json;

namespace Cairn.EndToEnd.Tests;

/// <summary>Where the data of the workloads ends up on a 3-store playground of processes.</summary>
public sealed class DataPlacementTests
{
    [Fact]
    public async Task After_the_workloads_load_every_store_leads_regions()
    {
        await using var playground = await PlaygroundProcess.StartAsync(3);
        foreach (var args in new[]
        {
            new[] { "workload", "sysbench", "--tables", "4", "--rows", "500" },
            ["workload", "bank", "--accounts", "50", "--workers", "2", "--transfers", "20"],
            ["workload", "catalog-zoo", "--rows", "16"],
        })
        {
            var (exitCode, stdout, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(3), [.. args, "--pd", playground.Pd]);
            Assert.True(exitCode == 0, $"cairn {string.Join(' ', args)} exited with {exitCode}\n{stdout}\n{stderr}");
        }

        // Each table got regions of its own, which pd scatters and balances; wait (bounded) for all three to lead some.
        using var http = new HttpClient { BaseAddress = new Uri(playground.PdHttp), Timeout = TimeSpan.FromSeconds(30) };
        var leaders = new Dictionary<long, int>();
        await Eventually.UntilAsync(async () =>
        {
            using var stores = JsonDocument.Parse(await http.GetStringAsync("/pd/api/v1/stores"));
            leaders = stores.RootElement.GetProperty("stores").EnumerateArray().ToDictionary(
                s => s.GetProperty("store").GetProperty("id").GetInt64(),
                s => s.GetProperty("status").GetProperty("leader_count").GetInt32());
            return leaders.Count == 3 && leaders.Values.All(c => c > 0);
        }, TimeSpan.FromSeconds(90), () => $"every store to lead regions (leaders per store: {string.Join(", ", leaders.Select(kv => $"{kv.Key}={kv.Value}"))})");

        // The data is intact wherever it moved.
        foreach (var workload in new[] { "sysbench", "bank", "catalog-zoo" })
        {
            string[] args = workload == "sysbench"
                ? ["workload", workload, "--tables", "4", "--rows", "500", "--verify-only", "--pd", playground.Pd]
                : workload == "catalog-zoo" ? ["workload", workload, "--rows", "16", "--verify-only", "--pd", playground.Pd]
                : ["workload", workload, "--accounts", "50", "--verify-only", "--pd", playground.Pd];
            var (exitCode, stdout, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(2), args);
            Assert.True(exitCode == 0, $"verify {workload} exited with {exitCode}\n{stdout}\n{stderr}");
        }
    }
}
