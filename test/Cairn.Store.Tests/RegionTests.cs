using Cairn.Common.Mvcc;
using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Storepb;
using Google.Protobuf;
using static Cairn.Store.Tests.TestStore;

namespace Cairn.Store.Tests;

public sealed class RegionTests
{
    [Fact]
    public async Task New_store_bootstraps_one_region_over_the_whole_key_space()
    {
        await using var store = await TestStore.StartAsync();
        var info = await store.Channel.StoreAdmin.GetStoreInfoAsync(new GetStoreInfoRequest()).ResponseAsync;
        Assert.Equal(store.Node.StoreId, info.Store.Id);
        Assert.Contains(info.Store.Labels, l => l.Key == "zone" && l.Value == "test");
        var region = Assert.Single(info.Regions);
        Assert.True(region.StartKey.IsEmpty);
        Assert.True(region.EndKey.IsEmpty);
        Assert.Equal(1UL, region.RegionEpoch.ConfVer);
        Assert.Equal(1UL, region.RegionEpoch.Version);
        var peer = Assert.Single(region.Peers);
        Assert.Equal(store.Node.StoreId, peer.StoreId);
    }

    [Fact]
    public async Task Synced_writes_and_invalid_options_are_handled_at_start()
    {
        await using (var store = await TestStore.StartAsync(syncWrites: true))
        {
            Assert.True(store.Node.Engine.SyncDataWrites);
            var commitTs = await store.PutAsync(("synced", "yes"));
            Assert.Equal("yes", await store.ReadAsync("synced", commitTs));
        }

        using var dir = new TempDirectory();
        await using var bad = new StoreNode(new StoreNodeOptions { DataDir = dir.Path, Address = "localhost" });
        await Assert.ThrowsAsync<ArgumentException>(() => bad.StartAsync());
        // A pd that never answers fails the start after the connect timeout, leaving nothing behind.
        using var unused = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        unused.Start();
        var deadPort = ((System.Net.IPEndPoint)unused.LocalEndpoint).Port;
        unused.Stop();
        await using var withPd = new StoreNode(new StoreNodeOptions
        {
            DataDir = dir.Path,
            Address = "127.0.0.1:0",
            PdAddress = $"127.0.0.1:{deadPort}",
            PdConnectTimeout = TimeSpan.FromMilliseconds(500),
        });
        await Assert.ThrowsAsync<Cairn.Pd.Client.PdException>(() => withPd.StartAsync());

        // One data directory serves one store: RocksDB's lock keeps a second node out.
        await using var owner = await TestStore.StartAsync(dir.Path);
        await using var intruder = new StoreNode(new StoreNodeOptions { DataDir = dir.Path, Address = "127.0.0.1:0" });
        await Assert.ThrowsAsync<RocksDb.RocksDbException>(() => intruder.StartAsync());
        var ownerCommit = await owner.PutAsync(("still", "served"));
        Assert.Equal("served", await owner.ReadAsync("still", ownerCommit));
    }

    [Fact]
    public async Task Unknown_region_is_RegionNotFound()
    {
        await using var store = await TestStore.StartAsync();
        var ctx = store.Ctx("a");
        ctx.RegionId = 9999;
        var get = await store.Channel.Tikv.KvGetAsync(new GetRequest { Context = ctx, Key = B("a"), Version = 1 }).ResponseAsync;
        Assert.Equal(9999UL, get.RegionError?.RegionNotFound?.RegionId);
        var raw = await store.Channel.Tikv.RawPutAsync(new RawPutRequest { Context = ctx, Key = B("a"), Value = B("v") }).ResponseAsync;
        Assert.NotNull(raw.RegionError?.RegionNotFound);
    }

    [Fact]
    public async Task Peer_of_another_store_is_StoreNotMatch()
    {
        await using var store = await TestStore.StartAsync();
        var ctx = store.Ctx("a");
        ctx.Peer.StoreId = store.Node.StoreId + 100;
        var response = await store.Channel.Tikv.KvPrewriteAsync(new PrewriteRequest
        {
            Context = ctx, PrimaryLock = B("a"), StartVersion = 5, Mutations = { new Mutation { Op = Op.Put, Key = B("a"), Value = B("v") } },
        }).ResponseAsync;
        Assert.Equal(store.Node.StoreId + 100, response.RegionError?.StoreNotMatch?.RequestStoreId);
        Assert.Equal(store.Node.StoreId, response.RegionError!.StoreNotMatch.ActualStoreId);
        Assert.Empty(response.Errors);
    }

    [Fact]
    public async Task Wrong_peer_on_this_store_is_NotLeader_with_the_leader()
    {
        await using var store = await TestStore.StartAsync();
        var ctx = store.Ctx("a");
        var leader = ctx.Peer.Clone();
        ctx.Peer.Id += 1000;
        var response = await store.Channel.Tikv.RawGetAsync(new RawGetRequest { Context = ctx, Key = B("a") }).ResponseAsync;
        Assert.Equal(ctx.RegionId, response.RegionError?.NotLeader?.RegionId);
        Assert.Equal(leader, response.RegionError!.NotLeader.Leader);
    }

    [Fact]
    public async Task Admission_limit_answers_ServerIsBusy()
    {
        await using var store = await TestStore.StartAsync(maxInFlight: 0);
        var response = await store.Channel.Tikv.KvGetAsync(new GetRequest { Context = store.Ctx("a"), Key = B("a"), Version = 1 }).ResponseAsync;
        Assert.NotNull(response.RegionError?.ServerIsBusy);
        Assert.NotEmpty(response.RegionError.ServerIsBusy.Reason);
        Assert.True(response.RegionError.ServerIsBusy.BackoffMs > 0);
        var split = await store.Channel.Tikv.SplitRegionAsync(new SplitRegionRequest { Context = store.Ctx("a"), SplitKeys = { B("m") } }).ResponseAsync;
        Assert.NotNull(split.RegionError?.ServerIsBusy);
    }

    [Fact]
    public async Task Low_admission_limit_serves_or_rejects_each_request_cleanly()
    {
        await using var store = await TestStore.StartAsync(maxInFlight: 1);
        var responses = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            store.Channel.Tikv.RawPutAsync(new RawPutRequest { Context = store.RawCtx("k"), Key = B($"k{i}"), Value = B("v") }).ResponseAsync));
        Assert.All(responses, r => Assert.True(r.RegionError is null || r.RegionError.ServerIsBusy is not null));
        var served = responses.Count(r => r.RegionError is null);
        Assert.True(served >= 1);
        var scan = await store.Channel.Tikv.RawScanAsync(new RawScanRequest { Context = store.RawCtx("k"), StartKey = B("k"), EndKey = B("l") }).ResponseAsync;
        Assert.Equal(served, scan.Kvs.Count);
    }

    [Fact]
    public async Task Split_through_kvproto_keeps_the_id_on_the_right_and_bumps_every_epoch()
    {
        await using var store = await TestStore.StartAsync();
        await store.PutAsync(("apple", "1"), ("melon", "2"), ("zebra", "3"));
        var original = store.Node.Regions.GetRegions().Single();
        var oldCtx = store.Ctx(original);

        var response = await store.Channel.Tikv.SplitRegionAsync(new SplitRegionRequest { Context = oldCtx, SplitKeys = { B("f"), B("p") } }).ResponseAsync;
        Assert.Null(response.RegionError);
        Assert.Equal(3, response.Regions.Count);
        var (left, middle, right) = (response.Regions[0], response.Regions[1], response.Regions[2]);
        Assert.True(left.StartKey.IsEmpty);
        Assert.Equal(MvccKey.EncodeKey(Bytes("f")), left.EndKey.ToByteArray());
        Assert.Equal(left.EndKey, middle.StartKey);
        Assert.Equal(MvccKey.EncodeKey(Bytes("p")), middle.EndKey.ToByteArray());
        Assert.Equal(middle.EndKey, right.StartKey);
        Assert.True(right.EndKey.IsEmpty);
        Assert.Equal(original.Id, right.Id);
        Assert.NotEqual(original.Id, left.Id);
        Assert.NotEqual(left.Id, middle.Id);
        Assert.All(response.Regions, r => Assert.Equal(original.RegionEpoch.Version + 2, r.RegionEpoch.Version));
        Assert.All(response.Regions, r => Assert.Equal(original.RegionEpoch.ConfVer, r.RegionEpoch.ConfVer));
        Assert.All(response.Regions, r => Assert.Equal(store.Node.StoreId, Assert.Single(r.Peers).StoreId));
        Assert.Equal(3, response.Regions.SelectMany(r => r.Peers).Select(p => p.Id).Distinct().Count());

        // The old epoch is stale now: EpochNotMatch with the current regions.
        var stale = await store.Channel.Tikv.KvGetAsync(new GetRequest { Context = oldCtx, Key = B("zebra"), Version = store.Ts.Next() }).ResponseAsync;
        var epochError = stale.RegionError?.EpochNotMatch;
        Assert.NotNull(epochError);
        Assert.Equal(original.Id, epochError.CurrentRegions[0].Id);
        Assert.Equal(3, epochError.CurrentRegions.Count);

        // Data on every side is still readable through its own region.
        var readTs = store.Ts.Next();
        Assert.Equal("1", await store.ReadAsync("apple", readTs));
        Assert.Equal("2", await store.ReadAsync("melon", readTs));
        Assert.Equal("3", await store.ReadAsync("zebra", readTs));

        // A key sent to the wrong region is KeyNotInRegion with the region's bounds.
        var wrong = await store.Channel.Tikv.KvGetAsync(new GetRequest { Context = store.Ctx(left), Key = B("zebra"), Version = readTs }).ResponseAsync;
        var notIn = wrong.RegionError?.KeyNotInRegion;
        Assert.NotNull(notIn);
        Assert.Equal(left.Id, notIn.RegionId);
        Assert.Equal(left.StartKey, notIn.StartKey);
        Assert.Equal(left.EndKey, notIn.EndKey);
        Assert.Equal(MvccKey.EncodeKey(Bytes("zebra")), notIn.Key.ToByteArray());

        // Scans stop at the region end.
        var scan = await store.Channel.Tikv.KvScanAsync(new ScanRequest { Context = store.Ctx(middle), StartKey = B("f"), Version = readTs }).ResponseAsync;
        Assert.Equal(["melon"], scan.Pairs.Select(p => p.Key.ToStringUtf8()));
        var gc = await store.Channel.Tikv.KvGCAsync(new GCRequest { Context = oldCtx, SafePoint = 1 }).ResponseAsync;
        Assert.NotNull(gc.RegionError?.EpochNotMatch);
    }

    [Fact]
    public async Task Raw_split_uses_raw_boundaries()
    {
        await using var store = await TestStore.StartAsync();
        var put = new RawBatchPutRequest { Context = store.RawCtx("a"), Pairs = { new KvPair { Key = B("a"), Value = B("1") }, new KvPair { Key = B("x"), Value = B("2") } } };
        await store.Channel.Tikv.RawBatchPutAsync(put).ResponseAsync;
        var split = await store.Channel.Tikv.SplitRegionAsync(new SplitRegionRequest { Context = store.RawCtx("a"), SplitKeys = { B("m") }, IsRawKv = true }).ResponseAsync;
        Assert.Equal(B("m"), split.Regions[0].EndKey);
        var left = await store.Channel.Tikv.RawScanAsync(new RawScanRequest { Context = store.RawCtx("a") }).ResponseAsync;
        Assert.Equal(["a"], left.Kvs.Select(p => p.Key.ToStringUtf8()));
        var right = await store.Channel.Tikv.RawGetAsync(new RawGetRequest { Context = store.RawCtx("x"), Key = B("x") }).ResponseAsync;
        Assert.Equal("2", right.Value.ToStringUtf8());
        var wrong = await store.Channel.Tikv.RawGetAsync(new RawGetRequest { Context = store.RawCtx("a"), Key = B("x") }).ResponseAsync;
        Assert.Equal(B("x"), wrong.RegionError?.KeyNotInRegion?.Key);
    }

    [Fact]
    public async Task Admin_split_uses_the_caller_ids()
    {
        await using var store = await TestStore.StartAsync();
        var original = store.Node.Regions.GetRegions().Single();
        var request = new AdminSplitRegionRequest
        {
            Context = store.Ctx(original),
            SplitKeys = { B("k") },
            Ids = { new SplitId { NewRegionId = 500, NewPeerIds = { 501 } } },
        };
        var response = await store.Channel.StoreAdmin.SplitRegionAsync(request).ResponseAsync;
        Assert.Empty(response.Error);
        Assert.Null(response.RegionError);
        Assert.Equal(500UL, response.Regions[0].Id);
        Assert.Equal(501UL, response.Regions[0].Peers[0].Id);
        Assert.Equal(original.Id, response.Regions[1].Id);

        // Later allocator-made IDs never collide with the supplied ones.
        var next = await store.Channel.Tikv.SplitRegionAsync(new SplitRegionRequest { Context = store.Ctx(response.Regions[1]), SplitKeys = { B("t") } }).ResponseAsync;
        Assert.True(next.Regions[0].Id > 501);
    }

    [Theory]
    [InlineData(new[] { "k", "k" }, "twice")]
    [InlineData(new[] { "p", "k" }, "ascending")]
    [InlineData(new[] { "" }, "empty")]
    public async Task Invalid_split_keys_are_rejected(string[] keys, string expected)
    {
        await using var store = await TestStore.StartAsync();
        var request = new AdminSplitRegionRequest { Context = store.Ctx("a") };
        request.SplitKeys.AddRange(keys.Select(B));
        for (var i = 0; i < keys.Length; i++)
        {
            request.Ids.Add(new SplitId { NewRegionId = 700 + (ulong)(2 * i), NewPeerIds = { 701 + (ulong)(2 * i) } });
        }

        var response = await store.Channel.StoreAdmin.SplitRegionAsync(request).ResponseAsync;
        Assert.Contains(expected, response.Error, StringComparison.Ordinal);
        Assert.Single(store.Node.Regions.GetRegions());
    }

    [Fact]
    public async Task Split_keys_outside_the_region_or_at_its_start_and_bad_ids_are_rejected()
    {
        await using var store = await TestStore.StartAsync();
        var split = await store.Channel.Tikv.SplitRegionAsync(new SplitRegionRequest { Context = store.Ctx("a"), SplitKeys = { B("m") } }).ResponseAsync;
        var right = split.Regions[1];

        var outside = await store.Channel.Tikv.SplitRegionAsync(new SplitRegionRequest { Context = store.Ctx(right), SplitKeys = { B("c") } }).ResponseAsync;
        Assert.Contains("outside", outside.RegionError?.Message, StringComparison.Ordinal);
        var atStart = await store.Channel.Tikv.SplitRegionAsync(new SplitRegionRequest { Context = store.Ctx(right), SplitKeys = { B("m") } }).ResponseAsync;
        Assert.Contains("start key", atStart.RegionError?.Message, StringComparison.Ordinal);

        var missingIds = await store.Channel.StoreAdmin.SplitRegionAsync(new AdminSplitRegionRequest { Context = store.Ctx(right), SplitKeys = { B("q") } }).ResponseAsync;
        Assert.Contains("ids", missingIds.Error, StringComparison.Ordinal);
        var reused = await store.Channel.StoreAdmin.SplitRegionAsync(new AdminSplitRegionRequest
        {
            Context = store.Ctx(right), SplitKeys = { B("q") }, Ids = { new SplitId { NewRegionId = split.Regions[0].Id, NewPeerIds = { 9000 } } },
        }).ResponseAsync;
        Assert.Contains("in use", reused.Error, StringComparison.Ordinal);
        Assert.Equal(2, store.Node.Regions.Count);
    }

    [Fact]
    public async Task Splits_survive_a_restart()
    {
        using var dir = new TempDirectory();
        IReadOnlyList<Region> before;
        ulong storeId;
        ulong commitTs;
        await using (var store = await TestStore.StartAsync(dir.Path))
        {
            storeId = store.Node.StoreId;
            commitTs = await store.PutAsync(("left", "L"), ("right", "R"));
            var split = await store.Channel.Tikv.SplitRegionAsync(new SplitRegionRequest { Context = store.Ctx("a"), SplitKeys = { B("m") } }).ResponseAsync;
            Assert.Null(split.RegionError);
            before = store.Node.Regions.GetRegions();
        }

        await using var reopened = await TestStore.StartAsync(dir.Path);
        Assert.Equal(storeId, reopened.Node.StoreId);
        Assert.Equal(before, reopened.Node.Regions.GetRegions());
        Assert.Equal("L", await reopened.ReadAsync("left", commitTs));
        Assert.Equal("R", await reopened.ReadAsync("right", commitTs));
        var next = await reopened.Channel.Tikv.SplitRegionAsync(new SplitRegionRequest { Context = reopened.Ctx("z"), SplitKeys = { B("t") } }).ResponseAsync;
        var allIds = before.SelectMany(r => r.Peers.Select(p => p.Id).Append(r.Id)).ToHashSet();
        Assert.DoesNotContain(next.Regions[0].Id, allIds);
    }

    [Fact]
    public async Task Requests_without_context_or_epoch_are_rejected()
    {
        await using var store = await TestStore.StartAsync();
        var noContext = await store.Channel.Tikv.KvGetAsync(new GetRequest { Key = B("a"), Version = 1 }).ResponseAsync;
        Assert.NotNull(noContext.RegionError);
        var ctx = store.Ctx("a");
        ctx.RegionEpoch = null;
        var noEpoch = await store.Channel.Tikv.KvGetAsync(new GetRequest { Context = ctx, Key = B("a"), Version = 1 }).ResponseAsync;
        Assert.NotNull(noEpoch.RegionError?.EpochNotMatch);
        Assert.Single(noEpoch.RegionError.EpochNotMatch.CurrentRegions);
        _ = ByteString.Empty;
    }
}
