using Cairn.Rpc.Metapb;

namespace Cairn.Cluster.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public async Task Stores_register_bootstrap_and_heartbeat_with_growing_region_sizes()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 3 });
        await using var kv = await ClusterKv.ConnectAsync(cluster);

        var stores = await kv.Pd.GetAllStoresAsync();
        Assert.Equal(3, stores.Count);
        Assert.All(stores, s => Assert.Equal(StoreState.Up, s.State));
        Assert.Equal(3, Enumerable.Range(0, 3).Select(cluster.StoreId).Distinct().Count());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(cluster.StoreAddress(i), stores.Single(s => s.Id == cluster.StoreId(i)).Address);
        }

        var info = await kv.Channel(1).StoreAdmin.GetStoreInfoAsync(new Rpc.Storepb.GetStoreInfoRequest());
        Assert.Equal(cluster.StoreId(1), info.Store.Id);
        Assert.Equal(cluster.StoreAddress(1), info.Store.Address);

        // Store 0 bootstrapped the cluster: it holds the only region.
        var (region, leader) = await kv.LocateAsync([]);
        Assert.Equal(0, leader);
        Assert.True(region.StartKey.IsEmpty && region.EndKey.IsEmpty);

        await cluster.WaitUntilAsync(() => Task.FromResult(
            cluster.Pd.GetStoreStatus(cluster.StoreId(0)) is { Stats: { Capacity: > 0, Available: > 0, StartTime: > 0, RegionCount: 1 }, RegionCount: 1 }),
            "store 0's stats in pd");
        Assert.Equal(0, cluster.Pd.GetStoreStatus(cluster.StoreId(1))!.RegionCount);

        var before = cluster.Pd.GetRegionStatus(region.Id)!;
        for (var i = 0; i < 200; i++)
        {
            await kv.TxnPutAsync($"key{i:D4}", new string('v', 100));
        }

        await cluster.WaitUntilAsync(() => Task.FromResult(
            cluster.Pd.GetRegionStatus(region.Id) is { ApproximateKeys: >= 400 } s && s.ApproximateSize > before.ApproximateSize + 20_000),
            "the region's approximate size and keys to grow in pd");
    }

    [Fact]
    public async Task A_store_restart_keeps_its_id_address_and_regions()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 2 });
        await using var kv = await ClusterKv.ConnectAsync(cluster);
        await kv.RawPutAsync("a", "1");
        var id = cluster.StoreId(0);
        var address = cluster.StoreAddress(0);
        var regions = cluster.Store(0).Regions.GetRegions().Select(r => r.Id).ToList();

        await cluster.RestartStoreAsync(0);

        Assert.Equal(id, cluster.Store(0).StoreId);
        Assert.Equal(address, cluster.Store(0).Address);
        Assert.Equal(regions, cluster.Store(0).Regions.GetRegions().Select(r => r.Id).ToList());
        Assert.Equal("1", await kv.RawGetAsync("a"));
        Assert.Equal(2, (await kv.Pd.GetAllStoresAsync()).Count);

        await cluster.KillStoreAsync(1);
        await cluster.RestartStoreAsync(1);
        Assert.Equal(2, (await kv.Pd.GetAllStoresAsync()).Count(s => s.State == StoreState.Up));
    }
}
