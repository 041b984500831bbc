using Cairn.Rpc;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Tests;

public sealed class ClusterTests
{
    [Fact]
    public async Task Bootstrap_once_then_already_bootstrapped()
    {
        await using var pd = await TestPd.StartAsync();
        var before = await pd.CallAsync(static (c, r, o) => c.IsBootstrappedAsync(r, o), new IsBootstrappedRequest { Header = pd.Header });
        Assert.False(before.Bootstrapped);
        var early = await pd.CallAsync(static (c, r, o) => c.GetAllStoresAsync(r, o), new GetAllStoresRequest { Header = pd.Header });
        Assert.Equal(ErrorType.NotBootstrapped, early.Header.Error?.Type);

        await pd.BootstrapAsync();
        var after = await pd.CallAsync(static (c, r, o) => c.IsBootstrappedAsync(r, o), new IsBootstrappedRequest { Header = pd.Header });
        Assert.True(after.Bootstrapped);
        Assert.Equal(pd.Server.ClusterId, after.Header.ClusterId);

        var again = await pd.CallAsync(static (c, r, o) => c.BootstrapAsync(r, o), new BootstrapRequest
        {
            Header = pd.Header,
            Store = TestPd.NewStore(5),
            Region = new Rpc.Metapb.Region { Id = 6, RegionEpoch = new RegionEpoch { ConfVer = 1, Version = 1 }, Peers = { new Peer { Id = 7, StoreId = 5 } } },
        });
        Assert.Equal(ErrorType.AlreadyBootstrapped, again.Header.Error?.Type);

        var stores = await pd.CallAsync(static (c, r, o) => c.GetAllStoresAsync(r, o), new GetAllStoresRequest { Header = pd.Header });
        Assert.Equal([1UL], stores.Stores.Select(s => s.Id));
        var region = await pd.GetRegionByIdAsync(2);
        Assert.Equal(3UL, region.Leader.Id);
    }

    [Fact]
    public async Task Wrong_cluster_id_is_refused_but_get_members_answers()
    {
        await using var pd = await TestPd.StartAsync();
        var members = await pd.CallAsync(static (c, r, o) => c.GetMembersAsync(r, o), new GetMembersRequest());
        Assert.Equal(pd.Server.ClusterId, members.Header.ClusterId);
        Assert.NotEqual(0UL, members.Header.ClusterId);
        Assert.Equal(members.Leader, Assert.Single(members.Members));
        Assert.Contains(pd.Server.Address, members.Leader.ClientUrls);

        var wrong = await pd.CallAsync(static (c, r, o) => c.AllocIDAsync(r, o), new AllocIDRequest { Header = new RequestHeader { ClusterId = members.Header.ClusterId + 1 } });
        Assert.Equal(ErrorType.Unknown, wrong.Header.Error?.Type);
        Assert.Contains("mismatch cluster id", wrong.Header.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(0UL, wrong.Id);
        var none = await pd.CallAsync(static (c, r, o) => c.IsBootstrappedAsync(r, o), new IsBootstrappedRequest());
        Assert.NotNull(none.Header.Error);
    }

    [Fact]
    public async Task Alloc_ids_are_unique_across_restarts_and_the_cluster_id_stays()
    {
        await using var pd = await TestPd.StartAsync();
        var clusterId = pd.Server.ClusterId;
        var ids = new List<ulong>();
        for (var round = 0; round < 3; round++)
        {
            var batch = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => pd.CallAsync(static (c, r, o) => c.AllocIDAsync(r, o), new AllocIDRequest { Header = pd.Header })));
            ids.AddRange(batch.Select(r => r.Id));
            await pd.RestartAsync();
            Assert.Equal(clusterId, pd.Server.ClusterId);
        }

        Assert.DoesNotContain(0UL, ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task Bootstrap_ids_are_never_allocated_again()
    {
        await using var pd = await TestPd.StartAsync();
        await pd.BootstrapAsync();
        var next = await pd.CallAsync(static (c, r, o) => c.AllocIDAsync(r, o), new AllocIDRequest { Header = pd.Header });
        Assert.True(next.Id > 3);
    }

    [Fact]
    public async Task Stores_register_with_labels_and_update_on_put()
    {
        await using var pd = await TestPd.StartAsync();
        await pd.BootstrapAsync();
        await pd.PutStoreAsync(TestPd.NewStore(10, ("engine", "tiflash"), ("zone", "z1")));

        var got = await pd.CallAsync(static (c, r, o) => c.GetStoreAsync(r, o), new GetStoreRequest { Header = pd.Header, StoreId = 10 });
        Assert.Null(got.Header.Error);
        Assert.Equal("127.0.0.1:20170", got.Store.Address);
        Assert.Equal("5.1.0", got.Store.Version);
        Assert.Contains(got.Store.Labels, l => l.Key == "engine" && l.Value == "tiflash");
        Assert.Equal(StoreState.Up, got.Store.State);

        var moved = TestPd.NewStore(10, ("engine", "tiflash"));
        moved.Address = "127.0.0.1:30000";
        await pd.PutStoreAsync(moved);
        var updated = await pd.CallAsync(static (c, r, o) => c.GetStoreAsync(r, o), new GetStoreRequest { Header = pd.Header, StoreId = 10 });
        Assert.Equal("127.0.0.1:30000", updated.Store.Address);

        var clash = TestPd.NewStore(11);
        clash.Address = "127.0.0.1:30000";
        var refused = await pd.CallAsync(static (c, r, o) => c.PutStoreAsync(r, o), new PutStoreRequest { Header = pd.Header, Store = clash });
        Assert.Equal(ErrorType.DuplicatedEntry, refused.Header.Error?.Type);

        var missing = await pd.CallAsync(static (c, r, o) => c.GetStoreAsync(r, o), new GetStoreRequest { Header = pd.Header, StoreId = 99 });
        Assert.NotNull(missing.Header.Error);

        await pd.StoreHeartbeatAsync(10);
        var withStats = await pd.CallAsync(static (c, r, o) => c.GetStoreAsync(r, o), new GetStoreRequest { Header = pd.Header, StoreId = 10 });
        Assert.Equal(100UL << 30, withStats.Stats.Capacity);
        Assert.NotEqual(0, withStats.Store.LastHeartbeat);

        await pd.RestartAsync();
        var reloaded = await pd.CallAsync(static (c, r, o) => c.GetStoreAsync(r, o), new GetStoreRequest { Header = pd.Header, StoreId = 10 });
        Assert.Equal("127.0.0.1:30000", reloaded.Store.Address);
        Assert.Contains(reloaded.Store.Labels, l => l.Key == "engine" && l.Value == "tiflash");
    }

    [Fact]
    public async Task Silent_stores_become_disconnected_then_down()
    {
        await using var pd = await TestPd.StartAsync(o => o with
        {
            StoreDisconnectTime = TimeSpan.FromSeconds(1),
            StoreDownTime = TimeSpan.FromSeconds(2.5),
        });
        await pd.BootstrapAsync();
        await pd.StoreHeartbeatAsync(1);

        await TestPd.WaitUntilAsync(async () => await HttpApiTests.StateNameAsync(pd, 1) == "Disconnected", "store 1 to be Disconnected");
        await TestPd.WaitUntilAsync(async () => await HttpApiTests.StateNameAsync(pd, 1) == "Down", "store 1 to be Down");
        var meta = await pd.CallAsync(static (c, r, o) => c.GetStoreAsync(r, o), new GetStoreRequest { Header = pd.Header, StoreId = 1 });
        Assert.Equal(StoreState.Up, meta.Store.State);

        await pd.StoreHeartbeatAsync(1);
        Assert.Equal("Up", await HttpApiTests.StateNameAsync(pd, 1));
    }

    [Fact]
    public async Task Offline_store_becomes_tombstone_once_its_regions_are_gone()
    {
        await using var pd = await TestPd.StartAsync();
        await pd.BootstrapAsync();
        await pd.PutStoreAsync(TestPd.NewStore(4));
        await pd.StoreHeartbeatAsync(1);
        await pd.StoreHeartbeatAsync(4);

        // Store 4 gets a region through a split report, then is taken offline.
        await pd.CallAsync(static (c, r, o) => c.ReportBatchSplitAsync(r, o), new ReportBatchSplitRequest
        {
            Header = pd.Header,
            Regions =
            {
                RegionTests.Region(2, "", "m", 2, 1, (3, 1)),
                RegionTests.Region(20, "m", "", 2, 1, (21, 4)),
            },
        });
        var delete = await pd.Http.DeleteAsync("/pd/api/v1/store/4", TestPd.Guard);
        Assert.Equal(System.Net.HttpStatusCode.OK, delete.StatusCode);
        Assert.Equal("Offline", await HttpApiTests.StateNameAsync(pd, 4));

        // pd asks store 4's region to move to store 1 (the only Up store without it).
        await using var stream = pd.OpenHeartbeatStream();
        await stream.SendAsync(new RegionHeartbeatRequest { Header = pd.Header, Region = RegionTests.Region(20, "m", "", 2, 1, (21, 4)), Leader = new Peer { Id = 21, StoreId = 4 } });
        var instruction = await stream.ReadAsync();
        Assert.Equal(20UL, instruction.RegionId);
        Assert.Equal(1UL, instruction.ChangePeerV2.Changes[0].Peer.StoreId);

        var offline = await pd.CallAsync(static (c, r, o) => c.GetStoreAsync(r, o), new GetStoreRequest { Header = pd.Header, StoreId = 4 });
        Assert.Equal(StoreState.Offline, offline.Store.State);

        var newPeer = instruction.ChangePeerV2.Changes[0].Peer;
        await stream.SendAsync(new RegionHeartbeatRequest { Header = pd.Header, Region = RegionTests.Region(20, "m", "", 2, 2, (newPeer.Id, 1)), Leader = newPeer });
        await TestPd.WaitUntilAsync(async () => await HttpApiTests.StateNameAsync(pd, 4) == "Tombstone", "store 4 to become Tombstone");

        var all = await pd.CallAsync(static (c, r, o) => c.GetAllStoresAsync(r, o), new GetAllStoresRequest { Header = pd.Header, ExcludeTombstoneStores = true });
        Assert.DoesNotContain(all.Stores, s => s.Id == 4);
        var withTombstones = await pd.CallAsync(static (c, r, o) => c.GetAllStoresAsync(r, o), new GetAllStoresRequest { Header = pd.Header });
        Assert.Equal(StoreState.Tombstone, withTombstones.Stores.Single(s => s.Id == 4).State);
        var put = await pd.CallAsync(static (c, r, o) => c.PutStoreAsync(r, o), new PutStoreRequest { Header = pd.Header, Store = TestPd.NewStore(4) });
        Assert.Equal(ErrorType.StoreTombstone, put.Header.Error?.Type);
        var heartbeat = await pd.CallAsync(static (c, r, o) => c.StoreHeartbeatAsync(r, o), new StoreHeartbeatRequest { Header = pd.Header, Stats = new StoreStats { StoreId = 4 } });
        Assert.Equal(ErrorType.StoreTombstone, heartbeat.Header.Error?.Type);
    }
}
