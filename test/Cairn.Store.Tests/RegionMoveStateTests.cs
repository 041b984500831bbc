using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;

namespace Cairn.Store.Tests;

/// <summary>The region states a move goes through on the source: frozen, drained, removed; and re-added regions persist.</summary>
public sealed class RegionMoveStateTests
{
    [Fact]
    public async Task A_frozen_region_answers_busy_drains_admitted_requests_and_after_removal_points_at_the_new_leader()
    {
        using var dir = new TempDirectory();
        var region = (await StartAndReadAsync(dir.Path)).Region;
        await using (var store = await TestStore.StartAsync(dir.Path))
        {
            var regions = store.Node.Regions;
            var ctx = store.Ctx(region);

            // An admitted request holds the region until it exits; draining waits for it.
            Assert.Null(regions.Enter(ctx, out var entered));
            Assert.Equal(region.Id, entered.Id);
            Assert.True(regions.Freeze(region.Id, true));
            Assert.False(regions.Freeze(region.Id, true));
            var drain = regions.DrainAsync(region.Id, CancellationToken.None);
            await Task.Delay(50);
            Assert.False(drain.IsCompleted);
            regions.Exit(region.Id);
            await drain.WaitAsync(TimeSpan.FromSeconds(10));

            var busy = await store.Channel.Tikv.RawPutAsync(new RawPutRequest { Context = ctx, Key = TestStore.B("k"), Value = TestStore.B("v") }).ResponseAsync;
            Assert.NotNull(busy.RegionError?.ServerIsBusy);
            Assert.True(regions.Freeze(region.Id, false));
            var ok = await store.Channel.Tikv.RawPutAsync(new RawPutRequest { Context = ctx, Key = TestStore.B("k"), Value = TestStore.B("v") }).ResponseAsync;
            Assert.Null(ok.RegionError);

            var newLeader = new Peer { Id = 999, StoreId = 77 };
            regions.RemoveRegion(region.Id, newLeader);
            var moved = await store.Channel.Tikv.RawGetAsync(new RawGetRequest { Context = ctx, Key = TestStore.B("k") }).ResponseAsync;
            Assert.Equal(77UL, moved.RegionError?.NotLeader?.Leader?.StoreId);
        }

        // The removal is durable; a region put back is durable too.
        await using (var store = await TestStore.StartAsync(dir.Path))
        {
            Assert.Equal(0, store.Node.Regions.Count);
            store.Node.Regions.PutRegion(region);
        }

        await using (var store = await TestStore.StartAsync(dir.Path))
        {
            Assert.Equal(region, store.Node.Regions.GetRegion(region.Id));
        }
    }

    private static async Task<(Region Region, ulong StoreId)> StartAndReadAsync(string dataDir)
    {
        await using var store = await TestStore.StartAsync(dataDir);
        return (store.Node.Regions.GetRegions()[0], store.Node.StoreId);
    }
}
