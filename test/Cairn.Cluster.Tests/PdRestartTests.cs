using Cairn.Common.Mvcc;
using Cairn.Rpc.Metapb;

namespace Cairn.Cluster.Tests;

public sealed class PdRestartTests
{
    [Fact]
    public async Task A_pd_restart_keeps_tso_monotonic_and_metadata_and_stores_reconnect()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 2 });
        await using var kv = await ClusterKv.ConnectAsync(cluster);
        var split = await kv.SplitAsync(raw: false, "m");
        await kv.TxnPutAsync("a", "1");
        var before = await kv.Pd.GetTimestampAsync();
        var address = cluster.PdAddress;
        var clusterId = cluster.ClusterId;

        await cluster.RestartPdAsync();

        Assert.Equal(address, cluster.PdAddress);
        Assert.Equal(clusterId, cluster.ClusterId);
        await using var fresh = await cluster.ConnectPdAsync();
        Assert.True(await fresh.GetTimestampAsync() > before);
        var regions = await fresh.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0);
        Assert.Equal(split.Select(r => r.Id), regions.Select(r => r.Region.Id));
        var stores = await fresh.GetAllStoresAsync();
        Assert.Equal([cluster.StoreId(0), cluster.StoreId(1)], stores.Select(s => s.Id).Order());

        // Stores reconnect: their heartbeats reach the new pd (store stats and region leaders), and splits still go through pd.
        await cluster.WaitUntilAsync(() => Task.FromResult(
            cluster.Pd.GetStoreStatus(cluster.StoreId(1)) is { Stats: not null, StateName: "Up" } &&
            cluster.Pd.GetStoreStatus(cluster.StoreId(0)) is { Stats.RegionCount: 2 } &&
            cluster.Pd.GetRegionStatus(split[0].Id)?.Leader is not null), "heartbeats to the restarted pd");
        var ts = await kv.TxnPutAsync("z", "2");
        Assert.True(ts > before);
        Assert.Equal("1", await kv.TxnGetAsync("a", ts));
        var again = await kv.SplitAsync(raw: false, "t");
        Assert.Equal(2, again.Count);
        await cluster.WaitUntilAsync(async () =>
            (await fresh.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0)).Count == 3, "the new split in pd");
        Assert.Equal(MvccKey.EncodeKey(ClusterKv.B("t")), (await fresh.GetRegionAsync(MvccKey.EncodeKey(ClusterKv.B("u"))))!.Region.StartKey.ToByteArray());
    }
}
