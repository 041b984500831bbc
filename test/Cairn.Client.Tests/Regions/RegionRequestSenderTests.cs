using System.Diagnostics;
using System.Text;
using Cairn.Client.Raw;
using Cairn.Client.Regions;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Testing;
using Google.Protobuf;
using RegionError = Cairn.Rpc.Errorpb.Error;

namespace Cairn.Client.Tests.Regions;

public sealed class RegionRequestSenderTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    // One raw get through the generic overload, recording every region error the loop was shown.
    private static Func<CachedRegion, CancellationToken, Task<RawGetResponse>> RawGet(RegionCache cache, byte[] key, List<string> seen) =>
        async (region, token) =>
        {
            var response = await cache.GetChannel(region.StoreAddress).Tikv
                .RawGetAsync(new RawGetRequest { Context = region.ToContext(), Key = ByteString.CopyFrom(key) }, cancellationToken: token).ResponseAsync;
            lock (seen)
            {
                seen.Add(response.RegionError is { } e ? RegionCache.Describe(e) : "ok");
            }

            return response;
        };

    private static RegionError? ErrorOf(RawGetResponse r) => r.RegionError;

    [Fact]
    public async Task A_split_under_the_loop_is_followed_and_the_cache_learns_the_new_regions()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 1 });
        await using var pd = await cluster.ConnectPdAsync();
        await using var raw = new RawClient(pd);
        await raw.PutAsync(B("s/7"), B("seven"));
        var before = await raw.Cache.LocateKeyAsync(B("s/7"), KeyMode.Raw, new Backoffer(TimeSpan.Zero));
        Assert.Equal(1, raw.Cache.Count);

        // Split behind the cache's back: the cached region's epoch is now stale.
        await ClusterSetup.SplitAsync(cluster, pd, [B("s/3"), B("s/6")], KeyMode.Raw);

        var seen = new List<string>();
        var backoffer = new Backoffer(TimeSpan.FromSeconds(10));
        var (region, response) = await raw.Cache.Requests.SendToRegionKeyAsync(B("s/7"), "RawGet", RawGet(raw.Cache, B("s/7"), seen), ErrorOf, backoffer, "test get", CancellationToken.None);

        Assert.Equal("seven", response.Value.ToStringUtf8());
        Assert.Null(response.RegionError);
        Assert.StartsWith("EpochNotMatch", seen[0]);
        Assert.Equal("ok", seen[^1]);
        Assert.True(region.Contains(B("s/7")));
        Assert.Equal(B("s/6"), region.Region.StartKey.ToByteArray());
        Assert.True(region.Region.RegionEpoch.Version > before.Region.RegionEpoch.Version);
        // EpochNotMatch carried the siblings: the cache holds all three without asking pd for each.
        Assert.Equal(3, raw.Cache.Count);
        Assert.True(backoffer.Attempts >= 1);
    }

    [Fact]
    public async Task Regions_moved_to_another_store_are_followed_for_every_key()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 2 });
        await using var pd = await cluster.ConnectPdAsync();
        await ClusterSetup.SplitAsync(cluster, pd, [B("m/3"), B("m/6")], KeyMode.Raw);
        await using var raw = new RawClient(pd);
        var keys = Enumerable.Range(0, 9).Select(i => B($"m/{i}")).ToList();
        await raw.BatchPutAsync(keys.Select(k => new KeyValuePair<byte[], byte[]>(k, k)));
        foreach (var key in keys)
        {
            await raw.Cache.LocateKeyAsync(key, KeyMode.Raw, new Backoffer(TimeSpan.Zero));
        }

        await ClusterSetup.ScatterAsync(cluster, pd, minStores: 2);

        var seen = new List<string>();
        var backoffer = new Backoffer(TimeSpan.FromSeconds(10));
        var answers = await Task.WhenAll(keys.Select(k =>
            raw.Cache.Requests.SendToKeyAsync(k.AsMemory(), KeyMode.Raw, "RawGet", static (t, r, o) => t.RawGetAsync(r, o),
                c => new RawGetRequest { Context = c, Key = ByteString.CopyFrom(k) }, r => r.RegionError, backoffer, "test get", CancellationToken.None)));

        Assert.Equal(keys.Select(Convert.ToHexString), answers.Select(a => Convert.ToHexString(a.Response.Value.ToByteArray())));
        Assert.Equal(2, answers.Select(a => a.Region.Leader.StoreId).Distinct().Count());
        foreach (var (answer, key) in answers.Zip(keys))
        {
            var current = await pd.GetRegionAsync(key);
            Assert.Equal(current!.Leader!.StoreId, answer.Region.Leader.StoreId);
        }
    }

    [Fact]
    public async Task An_unreachable_store_spends_the_one_budget_and_a_permanent_failure_is_not_retried()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 1 });
        await using var pd = await cluster.ConnectPdAsync();
        await using var raw = new RawClient(pd, new ClientOptions { RequestTimeout = TimeSpan.FromSeconds(1) });
        await raw.PutAsync(B("x"), B("1"));

        var calls = 0;
        var permanent = await Assert.ThrowsAsync<InvalidOperationException>(() => raw.Cache.Requests.SendToRegionKeyAsync<RawGetResponse>(B("x"), "RawGet",
            (_, _) =>
            {
                Interlocked.Increment(ref calls);
                throw new InvalidOperationException("not a store failure");
            }, ErrorOf, new Backoffer(TimeSpan.FromSeconds(10)), "test get", CancellationToken.None));
        Assert.Equal(1, calls);
        Assert.Equal("not a store failure", permanent.Message);

        await cluster.StopStoreAsync(0);
        var seen = new List<string>();
        var budget = TimeSpan.FromMilliseconds(800);
        var started = Stopwatch.GetTimestamp();
        var e = await Assert.ThrowsAsync<RegionUnavailableException>(() =>
            raw.Cache.Requests.SendToRegionKeyAsync(B("x"), "RawGet", RawGet(raw.Cache, B("x"), seen), ErrorOf, new Backoffer(budget), "test get", CancellationToken.None));
        Assert.True(e.IsTransient);
        Assert.Contains("test get", e.Message);
        // The budget bounds sleeps and failed attempts together; pd lookups get at least their minimum call time.
        Assert.True(Stopwatch.GetElapsedTime(started) < budget + Backoffer.MinimumCallTime + TimeSpan.FromSeconds(3));
    }
}
