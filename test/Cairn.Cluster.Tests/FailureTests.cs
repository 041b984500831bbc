using Cairn.Common.Mvcc;
using Cairn.Rpc.Pdpb;
using Cairn.Store;

namespace Cairn.Cluster.Tests;

public sealed class FailureTests
{
    [Fact]
    public async Task A_move_to_a_store_that_is_down_keeps_the_region_at_the_source_until_the_target_returns()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 2 });
        await using var kv = await ClusterKv.ConnectAsync(cluster);
        var right = (await kv.SplitAsync(raw: false, "m"))[1];
        var ts = await kv.TxnPutAsync("x", "1");
        await cluster.KillStoreAsync(1);

        // pd still counts store 1 as Up (it has not been silent for the disconnect time), so it is the target.
        await kv.Pd.ScatterRegionsAsync([right.Id]);
        await cluster.WaitUntilAsync(async () => await kv.Pd.GetOperatorAsync(right.Id) is { Status: OperatorStatus.Running }, "the move to start");
        // Not a wait for an effect: reads spread over the time the move is stuck, each of which must be served.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("1", await kv.TxnGetAsync("x", ts));
            await Task.Delay(100);
        }

        Assert.NotNull(cluster.Store(0).Regions.GetRegion(right.Id));
        Assert.Equal(0, (await kv.LocateAsync(MvccKey.EncodeKey(ClusterKv.B("x")))).StoreIndex);

        // pd repeats the instruction; once the target is back the move completes.
        await cluster.RestartStoreAsync(1);
        await cluster.WaitUntilAsync(async () => await kv.Pd.GetOperatorAsync(right.Id) is { Status: OperatorStatus.Success }, "the move to finish");
        Assert.Equal(1, (await kv.LocateAsync(MvccKey.EncodeKey(ClusterKv.B("x")))).StoreIndex);
        Assert.Equal("1", await kv.TxnGetAsync("x", await kv.Pd.GetTimestampAsync()));
    }

    [Fact]
    public async Task A_source_that_stopped_before_dropping_a_moved_region_drops_it_at_restart()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 2 });
        await using var kv = await ClusterKv.ConnectAsync(cluster);
        var right = (await kv.SplitAsync(raw: false, "m"))[1];
        await kv.TxnPutAsync("x", "1");
        await kv.Pd.ScatterRegionsAsync([right.Id]);
        await cluster.WaitUntilAsync(async () => await kv.Pd.GetOperatorAsync(right.Id) is { Status: OperatorStatus.Success }, "the move");

        // As if store 0 had died after the target confirmed but before it removed its region state.
        var stale = right.Clone();
        cluster.Store(0).Regions.PutRegion(stale);
        await cluster.RestartStoreAsync(0);

        await cluster.WaitUntilAsync(() => Task.FromResult(cluster.Store(0).Regions.GetRegion(right.Id) is null), "the stale copy to be dropped");
        Assert.Equal(1, cluster.Store(0).Regions.Count);
        Assert.Equal(1, (await kv.LocateAsync(MvccKey.EncodeKey(ClusterKv.B("x")))).StoreIndex);
        Assert.Equal("1", await kv.TxnGetAsync("x", await kv.Pd.GetTimestampAsync()));
    }

    [Fact]
    public async Task A_store_refuses_to_join_another_cluster_or_to_join_after_running_standalone()
    {
        await using var first = await TestCluster.StartAsync(new TestClusterOptions { Stores = 1 });
        await using var second = await TestCluster.StartAsync(new TestClusterOptions { Stores = 1 });
        await first.StopStoreAsync(0);

        await using (var stray = new StoreNode(new StoreNodeOptions { Address = "127.0.0.1:0", DataDir = first.StoreDataDir(0), PdAddress = second.PdAddress }))
        {
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => stray.StartAsync());
            Assert.Contains($"belongs to cluster {first.ClusterId}", e.Message, StringComparison.Ordinal);
        }

        var standaloneDir = Path.Combine(second.RootDir, "standalone");
        await using (var standalone = new StoreNode(new StoreNodeOptions { Address = "127.0.0.1:0", DataDir = standaloneDir }))
        {
            await standalone.StartAsync();
        }

        await using (var joining = new StoreNode(new StoreNodeOptions { Address = "127.0.0.1:0", DataDir = standaloneDir, PdAddress = second.PdAddress }))
        {
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => joining.StartAsync());
            Assert.Contains("standalone", e.Message, StringComparison.Ordinal);
        }

        // A cluster store started without pd is refused too.
        await using var withoutPd = new StoreNode(new StoreNodeOptions { Address = "127.0.0.1:0", DataDir = first.StoreDataDir(0) });
        await Assert.ThrowsAsync<InvalidOperationException>(() => withoutPd.StartAsync());
    }
}
