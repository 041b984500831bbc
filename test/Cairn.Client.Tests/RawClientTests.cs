using System.Text;
using Cairn.Client.Raw;
using Cairn.Client.Regions;

namespace Cairn.Client.Tests;

public sealed class RawClientTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(byte[]? b) => b is null ? "<null>" : Encoding.UTF8.GetString(b);

    [Fact]
    public async Task Raw_operations_span_regions_and_stores()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 2 });
        await using var pd = await cluster.ConnectPdAsync();
        await ClusterSetup.SplitAsync(cluster, pd, [B("k/25"), B("k/50"), B("k/75")], KeyMode.Raw);
        await ClusterSetup.ScatterAsync(cluster, pd, minStores: 2);
        await using var raw = new RawClient(pd);

        var pairs = Enumerable.Range(0, 100).Select(i => new KeyValuePair<byte[], byte[]>(B($"k/{i:D2}"), B($"v{i}"))).ToList();
        await raw.BatchPutAsync(pairs);
        await raw.PutAsync(B("k/single"), B("s"));
        Assert.Equal("v42", S(await raw.GetAsync(B("k/42"))));
        Assert.Equal("s", S(await raw.GetAsync(B("k/single"))));
        Assert.Null(await raw.GetAsync(B("k/missing")));

        var groups = await raw.Cache.GroupKeysByRegionAsync(pairs.Select(p => p.Key), KeyMode.Raw, new Backoffer(TimeSpan.FromSeconds(5)));
        Assert.Equal(4, groups.Count);
        Assert.True(groups.Select(g => g.Region.Leader.StoreId).Distinct().Count() >= 2);

        var got = await raw.BatchGetAsync([B("k/00"), B("k/30"), B("k/99"), B("k/nope")]);
        Assert.Equal(3, got.Count);
        Assert.Equal("v99", S(got[B("k/99")]));

        var all = await raw.ScanAsync(B("k/"), B("k/99"));
        Assert.Equal(99, all.Count);
        Assert.Equal(pairs.Take(99).Select(p => S(p.Key)), all.Select(p => S(p.Key)));
        var limited = await raw.ScanAsync(B("k/20"), B("k0"), limit: 10, keyOnly: true);
        Assert.Equal(Enumerable.Range(20, 10).Select(i => $"k/{i}"), limited.Select(p => S(p.Key)));
        Assert.All(limited, p => Assert.Empty(p.Value));

        await raw.DeleteAsync(B("k/single"));
        Assert.Null(await raw.GetAsync(B("k/single")));
        await raw.BatchDeleteAsync([B("k/10"), B("k/60")]);
        await raw.DeleteRangeAsync(B("k/20"), B("k/80"));
        var left = await raw.ScanAsync(B("k/"), []);
        Assert.Equal(Enumerable.Range(0, 20).Concat(Enumerable.Range(80, 20)).Where(i => i != 10).Select(i => $"k/{i:D2}"), left.Select(p => S(p.Key)));
    }

    [Fact]
    public async Task Requests_follow_regions_that_moved_to_another_store()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 2 });
        await using var pd = await cluster.ConnectPdAsync();
        await ClusterSetup.SplitAsync(cluster, pd, [B("m/3"), B("m/6")], KeyMode.Raw);
        await using var raw = new RawClient(pd);
        var keys = Enumerable.Range(0, 9).Select(i => B($"m/{i}")).ToList();
        await raw.BatchPutAsync(keys.Select(k => new KeyValuePair<byte[], byte[]>(k, k)));
        var before = await raw.Cache.GroupKeysByRegionAsync(keys, KeyMode.Raw, new Backoffer(TimeSpan.Zero));
        Assert.Single(before.Select(g => g.Region.Leader.StoreId).Distinct());

        // Move regions away while the client still has the old leaders cached.
        await ClusterSetup.ScatterAsync(cluster, pd, minStores: 2);

        foreach (var key in keys)
        {
            Assert.Equal(key, await raw.GetAsync(key));
        }

        Assert.Equal(keys.Count, (await raw.ScanAsync(B("m/"), B("m0"))).Count);
        var after = await raw.Cache.GroupKeysByRegionAsync(keys, KeyMode.Raw, new Backoffer(TimeSpan.Zero));
        Assert.Equal(2, after.Select(g => g.Region.Leader.StoreId).Distinct().Count());
    }

    [Fact]
    public async Task A_stopped_store_gives_a_bounded_error_naming_key_region_and_store_then_recovers()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 1 });
        await using var pd = await cluster.ConnectPdAsync();
        await using var raw = new RawClient(pd, new ClientOptions { ReadBudget = TimeSpan.FromSeconds(1), RequestTimeout = TimeSpan.FromSeconds(2) });
        await raw.PutAsync(B("x"), B("1"));
        var region = await raw.Cache.LocateKeyAsync(B("x"), KeyMode.Raw, new Backoffer(TimeSpan.Zero));

        await cluster.StopStoreAsync(0);
        var e = await Assert.ThrowsAsync<RegionUnavailableException>(() => raw.GetAsync(B("x")));
        Assert.Contains(Convert.ToHexString(B("x")), e.Message);
        Assert.Contains($"region {region.Id}", e.Message);
        Assert.Contains(cluster.StoreAddress(0), e.Message);
        Assert.NotNull(e.LastError);
        Assert.True(e.IsRetryable);

        // Transactional reads and commits give up the same way, within their budgets.
        var options = new ClientOptions { ReadBudget = TimeSpan.FromSeconds(1), WriteBudget = TimeSpan.FromSeconds(1), RequestTimeout = TimeSpan.FromSeconds(2) };
        await using var txns = new Txn.TxnClient(pd, options);
        var reader = await txns.BeginAsync();
        var readError = await Assert.ThrowsAsync<RegionUnavailableException>(() => reader.GetAsync(B("t")));
        Assert.Contains(Convert.ToHexString(B("t")), readError.Message);
        Assert.Contains(cluster.StoreAddress(0), readError.Message);
        var writer = await txns.BeginAsync();
        writer.Set(B("t"), B("v"));
        var writeError = await Assert.ThrowsAsync<RegionUnavailableException>(() => writer.CommitAsync());
        Assert.Contains("prewrite", writeError.Message);

        await cluster.RestartStoreAsync(0);
        // Recovery, not its speed, is the claim: the clients reconnect on gRPC's reconnect schedule, which a 1 s
        // budget can outlast on a loaded machine, so each may give up a few more times before it gets through.
        await Eventually.UntilAsync(async () => S(await raw.GetAsync(B("x"))) == "1", TimeSpan.FromSeconds(60), "the raw client to read from the restarted store");
        await Eventually.UntilAsync(async () =>
        {
            await txns.RunInTransactionAsync(t =>
            {
                t.Set(B("t"), B("v2"));
                return Task.CompletedTask;
            });
            return true;
        }, TimeSpan.FromSeconds(60), "a transaction to commit on the restarted store");
        Assert.Equal("v2", S(await (await txns.BeginAsync()).GetAsync(B("t"))));
    }
}
