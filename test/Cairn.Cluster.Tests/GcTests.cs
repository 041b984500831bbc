using Cairn.Common.Mvcc;

namespace Cairn.Cluster.Tests;

public sealed class GcTests
{
    [Fact]
    public async Task Stores_gc_to_pds_safepoint_and_a_service_safepoint_holds_it_back()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            Stores = 1,
            // A life time of a few seconds keeps pd's safepoint below the timestamp the service registers below.
            ConfigurePd = o => o with { GcLifeTime = TimeSpan.FromSeconds(3), GcRunInterval = TimeSpan.FromMilliseconds(100) },
        });
        await using var kv = await ClusterKv.ConnectAsync(cluster);
        var hold = await kv.Pd.GetTimestampAsync();
        var registered = await kv.Pd.UpdateServiceGcSafePointAsync("backup", 3600, hold);

        Assert.True(registered.MinSafePoint <= hold);
        var first = await kv.TxnPutAsync("k", "v1");
        var second = await kv.TxnPutAsync("k", "v2");

        // The service safepoint caps pd's safepoint below both versions; stores collect only up to it.
        // A GC run has happened (the cap is tested on a run, not on the absence of one) and it stopped at the cap.
        await cluster.WaitUntilAsync(() => Task.FromResult(cluster.Store(0).LastGcSafePoint > 0), "a GC run");
        Assert.True(cluster.Pd.GcSafePoint <= hold);
        Assert.True(cluster.Store(0).LastGcSafePoint <= hold);
        Assert.Equal("v1", await kv.TxnGetAsync("k", first));
        Assert.Equal(2, CountVersions(cluster, "k"));

        // Released: the safepoint passes both versions and the old one is dropped.
        await kv.Pd.UpdateServiceGcSafePointAsync("backup", 0, 0);
        await cluster.WaitUntilAsync(() => Task.FromResult(cluster.Store(0).LastGcSafePoint > second), "GC past the second version");
        Assert.Equal(1, CountVersions(cluster, "k"));
        Assert.Equal("v2", await kv.TxnGetAsync("k", await kv.Pd.GetTimestampAsync()));
    }

    private static int CountVersions(TestCluster cluster, string key)
    {
        var engine = cluster.Store(0).Engine;
        byte[] lower = [(byte)'z', .. MvccKey.EncodeKey(ClusterKv.B(key), ulong.MaxValue)];
        byte[] upper = [(byte)'z', .. MvccKey.EncodeKey(ClusterKv.B(key), 0), 0];
        using var it = engine.Db.NewIterator(engine.Write, lower, upper);
        var n = 0;
        for (it.SeekToFirst(); it.Valid; it.Next())
        {
            n++;
        }

        return n;
    }
}
