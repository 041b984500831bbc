using Cairn.Common.Mvcc;
using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Pdpb;
using Google.Protobuf;

namespace Cairn.Cluster.Tests;

public sealed class MoveTests
{
    [Fact]
    public async Task Scatter_moves_a_region_with_all_its_data_and_the_source_drops_it()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 3 });
        await using var kv = await ClusterKv.ConnectAsync(cluster);
        var right = (await kv.SplitAsync(raw: false, "m"))[1];
        var firstTs = new Dictionary<string, ulong>();
        for (var i = 0; i < 30; i++)
        {
            firstTs[$"n{i:D3}"] = await kv.TxnPutAsync($"n{i:D3}", $"old{i}");
            await kv.RawPutAsync($"r{i:D3}", $"raw{i}");
        }

        var beforeOverwrite = await kv.Pd.GetTimestampAsync();
        for (var i = 0; i < 30; i += 2)
        {
            await kv.TxnPutAsync($"n{i:D3}", $"new{i}");
        }

        var scatter = await kv.Pd.ScatterRegionsAsync([right.Id]);
        Assert.Empty(scatter.FailedRegionIds);
        await cluster.WaitUntilAsync(async () =>
            await kv.Pd.GetOperatorAsync(right.Id) is { Status: OperatorStatus.Success }, "the scatter operator to succeed");

        var (moved, leader) = await kv.LocateAsync(MvccKey.EncodeKey(ClusterKv.B("n000")));
        Assert.Equal(right.Id, moved.Id);
        Assert.NotEqual(0, leader);
        Assert.Equal(right.RegionEpoch.ConfVer + 1, moved.RegionEpoch.ConfVer);
        Assert.Single(moved.Peers);
        Assert.Equal(cluster.StoreId(leader), moved.Peers[0].StoreId);
        Assert.NotNull(cluster.Store(leader).Regions.GetRegion(right.Id));
        Assert.Null(cluster.Store(0).Regions.GetRegion(right.Id));

        // MVCC reads at the old and the new snapshot, and raw data, all from the new store.
        var now = await kv.Pd.GetTimestampAsync();
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal($"old{i}", await kv.TxnGetAsync($"n{i:D3}", beforeOverwrite));
            Assert.Equal(i % 2 == 0 ? $"new{i}" : $"old{i}", await kv.TxnGetAsync($"n{i:D3}", now));
            Assert.Equal($"raw{i}", await kv.RawGetAsync($"r{i:D3}"));
        }

        // The source holds none of the range any more and points stale requests at the new leader.
        var engine = cluster.Store(0).Engine;
        foreach (var cf in new[] { engine.Default, engine.Write, engine.Lock })
        {
            using var it = engine.Db.NewIterator(cf, [(byte)'z', .. right.StartKey.Span], "{"u8);
            it.SeekToFirst();
            Assert.False(it.Valid);
        }

        var stale = await kv.Channel(0).Tikv.KvGetAsync(new GetRequest
        {
            Context = new Context { RegionId = right.Id, RegionEpoch = right.RegionEpoch, Peer = right.Peers[0] },
            Key = ByteString.CopyFromUtf8("n001"),
            Version = now,
        }).ResponseAsync;
        Assert.NotNull(stale.RegionError?.NotLeader);
        Assert.Equal(cluster.StoreId(leader), stale.RegionError!.NotLeader.Leader.StoreId);

        // The left region stayed.
        Assert.Equal(0, (await kv.LocateAsync(MvccKey.EncodeKey(ClusterKv.B("a")))).StoreIndex);
    }

    [Fact]
    public async Task Requests_during_a_move_get_region_errors_and_succeed_on_retry()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 2 });
        await using var kv = await ClusterKv.ConnectAsync(cluster);
        // Two regions on store 0, so that scattering the right one moves it to store 1.
        var region = (await kv.SplitAsync(raw: false, "m"))[1];
        var inRight = MvccKey.EncodeKey(ClusterKv.B("w"));

        // A frozen region (as during a move) answers ServerIsBusy until it is released.
        Assert.True(cluster.Store(0).Regions.Freeze(region.Id, true));
        var busy = await kv.Channel(0).Tikv.RawPutAsync(new RawPutRequest
        {
            Context = new Context { RegionId = region.Id, RegionEpoch = region.RegionEpoch, Peer = region.Peers[0] },
            Key = ByteString.CopyFromUtf8("x"),
            Value = ByteString.CopyFromUtf8("y"),
        }).ResponseAsync;
        Assert.NotNull(busy.RegionError?.ServerIsBusy);
        Assert.True(cluster.Store(0).Regions.Freeze(region.Id, false));

        // Writers keep going while the region moves; each write lands exactly once and is readable afterwards.
        using var stop = new CancellationTokenSource();
        var written = new List<(string Key, string Value)>();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested || i < 20; i++)
            {
                await kv.TxnPutAsync($"w{i:D5}", $"v{i}");
                await kv.RawPutAsync($"raw{i:D5}", $"v{i}");
                lock (written)
                {
                    written.Add(($"w{i:D5}", $"v{i}"));
                }
            }
        });
        await cluster.WaitUntilAsync(() => Task.FromResult(written.Count >= 10), "some writes before the move");
        var scatter = await kv.Pd.ScatterRegionsAsync([region.Id]);
        Assert.Empty(scatter.FailedRegionIds);
        await cluster.WaitUntilAsync(async () => (await kv.LocateAsync(inRight)).StoreIndex == 1, "the region to move to store 1");
        await cluster.WaitUntilAsync(() => Task.FromResult(written.Count >= 40), "writes after the move");
        await stop.CancelAsync();
        await writer;

        var ts = await kv.Pd.GetTimestampAsync();
        foreach (var (key, value) in written)
        {
            Assert.Equal(value, await kv.TxnGetAsync(key, ts));
            Assert.Equal(value, await kv.RawGetAsync("raw" + key[1..]));
        }

        // The client was redirected at least once (ServerIsBusy while frozen, NotLeader/RegionNotFound afterwards).
        Assert.NotEmpty(kv.RegionErrors);
        Assert.Null(cluster.Store(0).Regions.GetRegion(region.Id));
        Assert.Equal(1, cluster.Store(0).Regions.Count);
    }

    [Fact]
    public async Task The_balance_scheduler_spreads_regions_over_three_stores()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 3, EnableBalanceRegion = true });
        await using var kv = await ClusterKv.ConnectAsync(cluster);
        for (var i = 0; i < 26; i++)
        {
            await kv.RawPutAsync(((char)('a' + i)).ToString() + "key", $"v{i}");
        }

        await kv.SplitAsync(raw: true, "d", "g", "j", "m", "p", "s", "v");

        // A move adds the region on the target before the source drops it, so the count is 9 for a moment: wait for
        // the settled state rather than asserting the sum the instant the spread is reached.
        await cluster.WaitUntilAsync(() => Task.FromResult(Enumerable.Range(0, 3).All(i => cluster.Store(i).Regions.Count >= 2)
                && Enumerable.Range(0, 3).Sum(i => cluster.Store(i).Regions.Count) == 8),
            "every store to hold at least two of the eight regions, each region on one store");
        for (var i = 0; i < 26; i++)
        {
            Assert.Equal($"v{i}", await kv.RawGetAsync(((char)('a' + i)).ToString() + "key"));
        }
    }
}
