using System.Text;
using Cairn.Common.Codec;
using Cairn.Rpc;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;
using Google.Protobuf;

namespace Cairn.Pd.Tests;

public sealed class RegionTests
{
    /// <summary>A region whose bounds are the memcomparable encodings of the given raw keys ("" = unbounded).</summary>
    internal static Rpc.Metapb.Region Region(ulong id, string start, string end, ulong version, ulong confVer, params (ulong PeerId, ulong StoreId)[] peers)
    {
        var region = new Rpc.Metapb.Region
        {
            Id = id,
            StartKey = Key(start),
            EndKey = Key(end),
            RegionEpoch = new RegionEpoch { Version = version, ConfVer = confVer },
        };
        foreach (var (peerId, storeId) in peers)
        {
            region.Peers.Add(new Peer { Id = peerId, StoreId = storeId });
        }

        return region;
    }

    internal static ByteString Key(string raw) => raw.Length == 0 ? ByteString.Empty : ByteString.CopyFrom(MemComparable.EncodeBytes(Encoding.Latin1.GetBytes(raw)));

    private static RegionHeartbeatRequest Heartbeat(TestPd pd, Rpc.Metapb.Region region, ulong size = 0, ulong keys = 0) => new()
    {
        Header = pd.Header,
        Region = region,
        Leader = region.Peers[0],
        ApproximateSize = size,
        ApproximateKeys = keys,
        BytesWritten = 10,
        KeysWritten = 1,
    };

    private static async Task<GetRegionResponse> GetRegionAsync(TestPd pd, string rawKey) =>
        await pd.CallAsync(static (c, r, o) => c.GetRegionAsync(r, o), new GetRegionRequest { Header = pd.Header, RegionKey = Key(rawKey) });

    [Fact]
    public async Task Heartbeats_update_the_map_stale_ones_are_ignored_and_overlaps_replaced()
    {
        await using var pd = await TestPd.StartAsync();
        await pd.BootstrapAsync();
        await using var stream = pd.OpenHeartbeatStream();

        // The bootstrap region 2 splits at "m": region 2 keeps [m, +inf), region 10 takes [-inf, m).
        await stream.SendAsync(Heartbeat(pd, Region(10, "", "m", 2, 1, (11, 1)), size: 5 << 20, keys: 500));
        await TestPd.WaitUntilAsync(async () => (await pd.GetRegionByIdAsync(10)).Region is not null, "region 10 to be known");
        // Region 10 overlaps region 2 (still [-inf, +inf), version 1), which is dropped.
        Assert.Null((await pd.GetRegionByIdAsync(2)).Region);
        await stream.SendAsync(Heartbeat(pd, Region(2, "m", "", 2, 1, (3, 1)), size: 7 << 20, keys: 700));
        await TestPd.WaitUntilAsync(async () => (await pd.GetRegionByIdAsync(2)).Region is not null, "region 2 to return");

        var left = await GetRegionAsync(pd, "a");
        Assert.Equal(10UL, left.Region.Id);
        Assert.Equal(11UL, left.Leader.Id);
        var right = await GetRegionAsync(pd, "zzz");
        Assert.Equal(2UL, right.Region.Id);

        // A heartbeat with an older version (the pre-split region 2) is ignored ...
        await stream.SendAsync(Heartbeat(pd, Region(2, "", "", 1, 1, (3, 1))));
        // ... and so is one with an older conf_ver; a fresh heartbeat of region 10 proves both were processed.
        await stream.SendAsync(Heartbeat(pd, Region(2, "m", "", 2, 0, (3, 1))));
        await stream.SendAsync(Heartbeat(pd, Region(10, "", "m", 2, 1, (11, 1)), size: 6 << 20, keys: 600));
        await TestPd.WaitUntilAsync(async () => await ApproximateKeysAsync(pd, 10) == 600, "region 10's new stats");
        Assert.Equal(10UL, (await GetRegionAsync(pd, "a")).Region.Id);
        Assert.Equal(Key("m"), (await pd.GetRegionByIdAsync(2)).Region.StartKey);

        // A region reported with a newer version over both ranges replaces them (a merge).
        await stream.SendAsync(Heartbeat(pd, Region(30, "", "", 3, 1, (31, 1))));
        await TestPd.WaitUntilAsync(async () => (await pd.GetRegionByIdAsync(30)).Region is not null, "merged region 30");
        Assert.Null((await pd.GetRegionByIdAsync(10)).Region);
        Assert.Null((await pd.GetRegionByIdAsync(2)).Region);
        Assert.Equal(30UL, (await GetRegionAsync(pd, "q")).Region.Id);
    }

    [Fact]
    public async Task Scan_regions_fills_both_forms_honours_limit_and_end_and_survives_restart()
    {
        await using var pd = await TestPd.StartAsync();
        await pd.BootstrapAsync();
        await pd.CallAsync(static (c, r, o) => c.ReportBatchSplitAsync(r, o), new ReportBatchSplitRequest
        {
            Header = pd.Header,
            Regions =
            {
                Region(40, "", "c", 4, 1, (41, 1)),
                Region(42, "c", "f", 4, 1, (43, 1)),
                Region(44, "f", "k", 4, 1, (45, 1)),
                Region(2, "k", "", 4, 1, (3, 1)),
            },
        });

        var scan = await pd.CallAsync(static (c, r, o) => c.ScanRegionsAsync(r, o), new ScanRegionsRequest { Header = pd.Header, StartKey = Key("d"), Limit = 0 });
        Assert.Equal([42UL, 44UL, 2UL], scan.RegionMetas.Select(r => r.Id));
        Assert.Equal([43UL, 45UL, 3UL], scan.Leaders.Select(p => p.Id));
        Assert.Equal([42UL, 44UL, 2UL], scan.Regions.Select(r => r.Region_.Id));

        var limited = await pd.CallAsync(static (c, r, o) => c.ScanRegionsAsync(r, o), new ScanRegionsRequest { Header = pd.Header, StartKey = Key(""), Limit = 2 });
        Assert.Equal([40UL, 42UL], limited.RegionMetas.Select(r => r.Id));
        var bounded = await pd.CallAsync(static (c, r, o) => c.ScanRegionsAsync(r, o), new ScanRegionsRequest { Header = pd.Header, StartKey = Key("a"), EndKey = Key("f") });
        Assert.Equal([40UL, 42UL], bounded.RegionMetas.Select(r => r.Id));

        await pd.RestartAsync();
        var again = await pd.CallAsync(static (c, r, o) => c.ScanRegionsAsync(r, o), new ScanRegionsRequest { Header = pd.Header });
        Assert.Equal([40UL, 42UL, 44UL, 2UL], again.RegionMetas.Select(r => r.Id));
        Assert.Equal(45UL, (await pd.GetRegionByIdAsync(44)).Leader.Id);
        Assert.Null((await pd.GetRegionByIdAsync(999)).Region);
    }

    [Fact]
    public async Task Ask_batch_split_allocates_region_and_peer_ids_and_report_applies_the_split()
    {
        await using var pd = await TestPd.StartAsync();
        await pd.BootstrapAsync();
        var region = (await pd.GetRegionByIdAsync(2)).Region;
        var ask = await pd.CallAsync(static (c, r, o) => c.AskBatchSplitAsync(r, o), new AskBatchSplitRequest { Header = pd.Header, Region = region, SplitCount = 3 });
        Assert.Null(ask.Header.Error);
        Assert.Equal(3, ask.Ids.Count);
        Assert.All(ask.Ids, id => Assert.Single(id.NewPeerIds));
        var all = ask.Ids.SelectMany(i => i.NewPeerIds.Append(i.NewRegionId)).ToList();
        Assert.Equal(6, all.Distinct().Count());
        Assert.All(all, id => Assert.True(id > 3));

        var ids = ask.Ids;
        await pd.CallAsync(static (c, r, o) => c.ReportBatchSplitAsync(r, o), new ReportBatchSplitRequest
        {
            Header = pd.Header,
            Regions =
            {
                Region(ids[0].NewRegionId, "", "b", 4, 1, (ids[0].NewPeerIds[0], 1)),
                Region(ids[1].NewRegionId, "b", "d", 4, 1, (ids[1].NewPeerIds[0], 1)),
                Region(ids[2].NewRegionId, "d", "f", 4, 1, (ids[2].NewPeerIds[0], 1)),
                Region(2, "f", "", 4, 1, (3, 1)),
            },
        });
        Assert.Equal(ids[1].NewRegionId, (await GetRegionAsync(pd, "c")).Region.Id);
        Assert.Equal(ids[1].NewPeerIds[0], (await GetRegionAsync(pd, "c")).Leader.Id);
        Assert.Equal(2UL, (await GetRegionAsync(pd, "x")).Region.Id);

        var unknown = await pd.CallAsync(static (c, r, o) => c.AskBatchSplitAsync(r, o), new AskBatchSplitRequest { Header = pd.Header, Region = Region(777, "", "", 1, 1, (1, 1)), SplitCount = 1 });
        Assert.Equal(ErrorType.RegionNotFound, unknown.Header.Error?.Type);
        var zero = await pd.CallAsync(static (c, r, o) => c.AskBatchSplitAsync(r, o), new AskBatchSplitRequest { Header = pd.Header, Region = region, SplitCount = 0 });
        Assert.Equal(ErrorType.InvalidValue, zero.Header.Error?.Type);
    }

    [Fact]
    public async Task A_reported_region_with_an_empty_key_range_is_refused_and_changes_nothing()
    {
        await using var pd = await TestPd.StartAsync();
        await pd.BootstrapAsync();
        var inverted = await pd.CallAsync(static (c, r, o) => c.ReportBatchSplitAsync(r, o), new ReportBatchSplitRequest
        {
            Header = pd.Header,
            Regions = { Region(50, "d", "b", 5, 1, (51, 1)) },
        });
        Assert.Equal(ErrorType.InvalidValue, inverted.Header.Error?.Type);
        Assert.Equal(2UL, (await GetRegionAsync(pd, "c")).Region.Id);
        Assert.Null((await pd.GetRegionByIdAsync(50)).Region);
    }

    private static async Task<ulong> ApproximateKeysAsync(TestPd pd, ulong regionId)
    {
        var response = await pd.Http.GetAsync($"/pd/api/v1/region/id/{regionId}", TestPd.Guard);
        if (!response.IsSuccessStatusCode)
        {
            return 0;
        }

        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestPd.Guard));
        return json.RootElement.GetProperty("approximate_keys").GetUInt64();
    }
}
