using Cairn.Rpc;
using Cairn.Rpc.Eraftpb;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Tests;

public sealed class OperatorTests
{
    /// <summary>Stores 1 and 4 up; regions 2 [-inf,c), 50 [c,f), 52 [f,+inf) all on store 1.</summary>
    private static async Task SetUpAsync(TestPd pd)
    {
        await pd.BootstrapAsync();
        await pd.PutStoreAsync(TestPd.NewStore(4));
        await pd.PutStoreAsync(TestPd.NewStore(5, ("engine", "tiflash")));
        await pd.StoreHeartbeatAsync(1);
        await pd.StoreHeartbeatAsync(4);
        await pd.StoreHeartbeatAsync(5);
        await pd.CallAsync(static (c, r, o) => c.ReportBatchSplitAsync(r, o), new ReportBatchSplitRequest
        {
            Header = pd.Header,
            Regions =
            {
                RegionTests.Region(2, "", "c", 3, 1, (3, 1)),
                RegionTests.Region(50, "c", "f", 3, 1, (51, 1)),
                RegionTests.Region(52, "f", "", 3, 1, (53, 1)),
            },
        });
    }

    private static async Task<GetOperatorResponse> GetOperatorAsync(TestPd pd, ulong regionId) =>
        await pd.CallAsync(static (c, r, o) => c.GetOperatorAsync(r, o), new GetOperatorRequest { Header = pd.Header, RegionId = regionId });

    [Fact]
    public async Task Scatter_moves_a_region_to_the_emptier_store_and_succeeds_when_the_heartbeat_shows_it()
    {
        await using var pd = await TestPd.StartAsync();
        await SetUpAsync(pd);
        await using var stream = pd.OpenHeartbeatStream();
        // Register the stream for store 1 so the instruction is pushed as soon as the operator exists.
        await stream.SendAsync(new RegionHeartbeatRequest { Header = pd.Header, Region = RegionTests.Region(2, "", "c", 3, 1, (3, 1)), Leader = new Peer { Id = 3, StoreId = 1 } });
        await TestPd.WaitUntilAsync(async () => (await pd.GetRegionByIdAsync(2)).Region is not null, "region 2 heartbeat");

        var none = await GetOperatorAsync(pd, 50);
        Assert.Equal(ErrorType.RegionNotFound, none.Header.Error?.Type);

        var scatter = await pd.CallAsync(static (c, r, o) => c.ScatterRegionAsync(r, o), new ScatterRegionRequest { Header = pd.Header, RegionsId = { 50 } });
        Assert.Null(scatter.Header.Error);
        Assert.Equal(100UL, scatter.FinishedPercentage);
        Assert.Empty(scatter.FailedRegionsId);

        var running = await GetOperatorAsync(pd, 50);
        Assert.Null(running.Header.Error);
        Assert.Equal(OperatorStatus.Running, running.Status);
        Assert.Equal("scatter-region", running.Desc.ToStringUtf8());
        Assert.Equal(50UL, running.RegionId);

        var instruction = await stream.ReadAsync();
        Assert.Equal(50UL, instruction.RegionId);
        Assert.Equal(3UL, instruction.RegionEpoch.Version);
        Assert.Equal(51UL, instruction.TargetPeer.Id);
        var add = instruction.ChangePeerV2.Changes[0];
        var remove = instruction.ChangePeerV2.Changes[1];
        Assert.Equal(ConfChangeType.AddNode, add.ChangeType);
        Assert.Equal(4UL, add.Peer.StoreId);
        Assert.Equal(ConfChangeType.RemoveNode, remove.ChangeType);
        Assert.Equal(51UL, remove.Peer.Id);

        // A heartbeat still showing the old placement gets the instruction again.
        await stream.SendAsync(new RegionHeartbeatRequest { Header = pd.Header, Region = RegionTests.Region(50, "c", "f", 3, 1, (51, 1)), Leader = new Peer { Id = 51, StoreId = 1 } });
        var repeat = await stream.ReadAsync();
        Assert.Equal(add.Peer, repeat.ChangePeerV2.Changes[0].Peer);

        // The target reports the region with only the new peer: success.
        await stream.SendAsync(new RegionHeartbeatRequest { Header = pd.Header, Region = RegionTests.Region(50, "c", "f", 3, 2, (add.Peer.Id, 4)), Leader = add.Peer });
        await TestPd.WaitUntilAsync(async () => (await GetOperatorAsync(pd, 50)).Status == OperatorStatus.Success, "the scatter operator to succeed");
        Assert.Equal(4UL, (await pd.GetRegionByIdAsync(50)).Leader.StoreId);

        // Tiflash store 5 never received anything; a region already balanced is not moved.
        var second = await pd.CallAsync(static (c, r, o) => c.ScatterRegionAsync(r, o), new ScatterRegionRequest { Header = pd.Header, RegionsId = { 52, 999 } });
        Assert.Equal(50UL, second.FinishedPercentage);
        Assert.Equal([999UL], second.FailedRegionsId);
    }

    [Fact]
    public async Task Scatter_skips_stores_that_stopped_heartbeating()
    {
        await using var pd = await TestPd.StartAsync(o => o with { StoreDisconnectTime = TimeSpan.FromSeconds(1.5) });
        await SetUpAsync(pd);
        await TestPd.WaitUntilAsync(async () =>
        {
            await pd.StoreHeartbeatAsync(1);
            return await HttpApiTests.StateNameAsync(pd, 4) == "Disconnected";
        }, "store 4 to be Disconnected");
        await pd.StoreHeartbeatAsync(1);

        var scatter = await pd.CallAsync(static (c, r, o) => c.ScatterRegionAsync(r, o), new ScatterRegionRequest { Header = pd.Header, RegionsId = { 50, 52 } });
        Assert.Equal(100UL, scatter.FinishedPercentage);
        Assert.Equal(ErrorType.RegionNotFound, (await GetOperatorAsync(pd, 50)).Header.Error?.Type);
        Assert.Equal(ErrorType.RegionNotFound, (await GetOperatorAsync(pd, 52)).Header.Error?.Type);
    }

    [Fact]
    public async Task Region_heartbeat_with_a_wrong_cluster_id_gets_a_header_error_and_changes_nothing()
    {
        await using var pd = await TestPd.StartAsync();
        await pd.BootstrapAsync();
        await using var stream = pd.OpenHeartbeatStream();
        await stream.SendAsync(new RegionHeartbeatRequest
        {
            Header = new RequestHeader { ClusterId = pd.Server.ClusterId + 7 },
            Region = RegionTests.Region(60, "", "", 9, 9, (61, 1)),
            Leader = new Peer { Id = 61, StoreId = 1 },
        });
        var reply = await stream.ReadAsync();
        Assert.NotNull(reply.Header.Error);
        Assert.Equal(60UL, reply.RegionId);
        Assert.Null((await pd.GetRegionByIdAsync(60)).Region);
        Assert.NotNull((await pd.GetRegionByIdAsync(2)).Region);
    }

    [Fact]
    public async Task Scatter_operator_times_out_when_the_store_never_moves_the_region()
    {
        await using var pd = await TestPd.StartAsync(o => o with { OperatorTimeout = TimeSpan.FromSeconds(1.5) });
        await SetUpAsync(pd);
        var scatter = await pd.CallAsync(static (c, r, o) => c.ScatterRegionAsync(r, o), new ScatterRegionRequest { Header = pd.Header, RegionId = 50 });
        Assert.Null(scatter.Header.Error);
        Assert.Equal(OperatorStatus.Running, (await GetOperatorAsync(pd, 50)).Status);
        await TestPd.WaitUntilAsync(async () => (await GetOperatorAsync(pd, 50)).Status == OperatorStatus.Timeout, "the operator to time out");
    }

    [Fact]
    public async Task Balance_scheduler_moves_regions_from_the_fullest_store_when_enabled()
    {
        await using var pd = await TestPd.StartAsync();
        await SetUpAsync(pd);
        await using var stream = pd.OpenHeartbeatStream();
        foreach (var region in new[] { RegionTests.Region(2, "", "c", 3, 1, (3, 1)), RegionTests.Region(50, "c", "f", 3, 1, (51, 1)), RegionTests.Region(52, "f", "", 3, 1, (53, 1)) })
        {
            await stream.SendAsync(new RegionHeartbeatRequest { Header = pd.Header, Region = region, Leader = region.Peers[0] });
        }

        // Off by default in these tests: nothing moves. pd must know all three regions first, or "no operator" would
        // only mean the heartbeats had not arrived; enabling the scheduler below shows the same setup does move one.
        foreach (var id in new ulong[] { 2, 50, 52 })
        {
            await TestPd.WaitUntilAsync(async () => (await pd.GetRegionByIdAsync(id)).Region is not null, $"region {id} to be known");
        }

        // Several schedule rounds (50 ms each) with the scheduler off.
        await Task.Delay(300);
        foreach (var id in new ulong[] { 2, 50, 52 })
        {
            Assert.Equal(ErrorType.RegionNotFound, (await GetOperatorAsync(pd, id)).Header.Error?.Type);
        }

        var enable = await pd.Http.PostAsync("/pd/api/v1/schedulers",
            new StringContent("{\"name\":\"balance-region-scheduler\"}", System.Text.Encoding.UTF8, "application/json"), TestPd.Guard);
        Assert.Equal(System.Net.HttpStatusCode.OK, enable.StatusCode);

        var instruction = await stream.ReadAsync();
        Assert.Equal(4UL, instruction.ChangePeerV2.Changes[0].Peer.StoreId);
        var op = await GetOperatorAsync(pd, instruction.RegionId);
        Assert.Equal("balance-region", op.Desc.ToStringUtf8());
        Assert.Equal(OperatorStatus.Running, op.Status);

        var disable = await pd.Http.DeleteAsync("/pd/api/v1/schedulers/balance-region-scheduler", TestPd.Guard);
        Assert.Equal(System.Net.HttpStatusCode.OK, disable.StatusCode);
    }
}
