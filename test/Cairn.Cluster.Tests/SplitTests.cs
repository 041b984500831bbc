using Cairn.Common.Keys;
using Cairn.Common.Mvcc;

namespace Cairn.Cluster.Tests;

public sealed class SplitTests
{
    [Fact]
    public async Task A_split_takes_ids_from_pd_and_is_reported_to_pd()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 1 });
        await using var kv = await ClusterKv.ConnectAsync(cluster);
        var idBefore = await kv.Pd.AllocIdAsync();

        var regions = await kv.SplitAsync(raw: false, "g", "p");

        Assert.Equal(3, regions.Count);
        // New region and peer ids come from pd's allocator, so they lie above an id it handed out before.
        Assert.All(regions.Take(2), r => Assert.True(r.Id > idBefore && r.Peers[0].Id > idBefore));
        // The store reports the split to pd asynchronously; on a loaded machine pd may not have it yet.
        await cluster.WaitUntilAsync(async () =>
            (await kv.Pd.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0)).Select(r => r.Region.Id).SequenceEqual(regions.Select(r => r.Id)),
            "pd to receive the split report (the three regions the split returned)");
        var inPd = await kv.Pd.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0);
        Assert.Equal(MvccKey.EncodeKey(ClusterKv.B("g")), inPd[0].Region.EndKey.ToByteArray());
        Assert.All(inPd, r => Assert.Equal(3UL, r.Region.RegionEpoch.Version));

        await kv.TxnPutAsync("a", "1");
        await kv.TxnPutAsync("h", "2");
        var ts = await kv.TxnPutAsync("z", "3");
        Assert.Equal("2", await kv.TxnGetAsync("h", ts));
        Assert.Equal(regions[1].Id, (await kv.LocateAsync(MvccKey.EncodeKey(ClusterKv.B("h")))).Region.Id);
    }

    [Fact]
    public async Task A_region_splits_by_itself_when_it_passes_the_key_threshold()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 1, RegionSplitKeys = 60 });
        await using var kv = await ClusterKv.ConnectAsync(cluster);
        var written = new List<string>();
        ulong last = 0;
        for (var i = 0; i < 150; i++)
        {
            var key = $"k{i:D4}";
            last = await kv.TxnPutAsync(key, $"v{i}");
            written.Add(key);
        }

        await cluster.WaitUntilAsync(async () =>
            (await kv.Pd.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0)).Count >= 2, "an automatic split");

        var regions = await kv.Pd.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0);
        // Split keys are whole user keys: every boundary decodes to one of the keys written.
        foreach (var region in regions.Skip(1))
        {
            var boundary = region.Region.StartKey.ToByteArray();
            Assert.Contains(written, k => MvccKey.EncodeKey(ClusterKv.B(k)).AsSpan().SequenceEqual(boundary));
        }

        for (var i = 0; i < 150; i += 7)
        {
            Assert.Equal($"v{i}", await kv.TxnGetAsync($"k{i:D4}", last));
        }
    }

    [Fact]
    public async Task Automatic_splits_never_separate_the_versions_of_one_user_key()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 1, RegionSplitKeys = 40 });
        await using var kv = await ClusterKv.ConnectAsync(cluster);
        await kv.TxnPutAsync("a", "first");
        var versions = new List<(ulong Ts, string Value)>();
        for (var i = 0; i < 80; i++)
        {
            versions.Add((await kv.TxnPutAsync("hot", $"v{i}"), $"v{i}"));
        }

        await kv.TxnPutAsync("z", "last");

        // The region splits at "hot" and then at "z"; ["hot", "z") holds one user key and cannot split further.
        var expected = new[] { "hot", "z" }.Select(k => MvccKey.EncodeKey(ClusterKv.B(k))).ToList();
        ulong hotRegion = 0;
        await cluster.WaitUntilAsync(async () =>
        {
            var regions = await kv.Pd.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0);
            hotRegion = regions.Count == 3 ? regions[1].Region.Id : 0;
            return regions.Count == 3 && regions.Skip(1).Select(r => r.Region.StartKey.ToByteArray()).SequenceEqual(expected, ByteKeyComparer.Instance);
        }, "splits at hot and z");

        // "Cannot split further" must not pass just because no split check looked: pd hears the region's size from
        // the split check, and 80 versions of "hot" are over the 40-key threshold, so the check found it too big
        // and still left it whole.
        await cluster.WaitUntilAsync(() => Task.FromResult(cluster.Pd.GetRegionStatus(hotRegion) is { ApproximateKeys: > 40 }),
            "the split check to measure [hot, z) over the threshold");
        var after = await kv.Pd.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0);
        Assert.Equal(3, after.Count);
        Assert.Equal(hotRegion, after[1].Region.Id);
        foreach (var (ts, value) in versions.Where((_, i) => i % 10 == 0))
        {
            Assert.Equal(value, await kv.TxnGetAsync("hot", ts));
        }
    }

    [Fact]
    public async Task A_raw_region_splits_by_itself_at_a_raw_key()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 1, RegionSplitSize = 16 * 1024 });
        await using var kv = await ClusterKv.ConnectAsync(cluster);
        for (var i = 0; i < 100; i++)
        {
            await kv.RawPutAsync($"r{i:D4}", new string('x', 400));
        }

        await cluster.WaitUntilAsync(async () =>
            (await kv.Pd.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0)).Count >= 2, "an automatic split");
        var regions = await kv.Pd.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0);
        Assert.StartsWith("r0", System.Text.Encoding.UTF8.GetString(regions[1].Region.StartKey.Span));
        for (var i = 0; i < 100; i += 9)
        {
            Assert.Equal(400, (await kv.RawGetAsync($"r{i:D4}"))!.Length);
        }
    }
}
