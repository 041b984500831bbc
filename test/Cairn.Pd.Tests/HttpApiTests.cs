using System.Net;
using System.Text;
using System.Text.Json;
using Cairn.Common.Codec;
using Cairn.Pd.Api;
using Cairn.Rpc;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Tests;

public sealed class HttpApiTests
{
    internal static async Task<string?> StateNameAsync(TestPd pd, ulong storeId)
    {
        using var json = await GetJsonAsync(pd, $"/pd/api/v1/store/{storeId}");
        return json.RootElement.GetProperty("store").GetProperty("state_name").GetString();
    }

    internal static async Task<List<string>> ServiceIdsAsync(TestPd pd)
    {
        using var json = await GetJsonAsync(pd, "/pd/api/v1/gc/safepoint");
        return json.RootElement.GetProperty("service_gc_safe_points").EnumerateArray().Select(e => e.GetProperty("service_id").GetString()!).ToList();
    }

    private static async Task<JsonDocument> GetJsonAsync(TestPd pd, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await pd.Http.GetAsync(path, TestPd.Guard);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestPd.Guard));
    }

    [Fact]
    public async Task Stores_and_store_endpoints_report_pd_shaped_json()
    {
        await using var pd = await TestPd.StartAsync();
        await pd.BootstrapAsync();
        await pd.PutStoreAsync(TestPd.NewStore(4, ("engine", "tiflash")));
        await pd.StoreHeartbeatAsync(1);

        using var stores = await GetJsonAsync(pd, "/pd/api/v1/stores");
        Assert.Equal(2, stores.RootElement.GetProperty("count").GetInt32());
        var first = stores.RootElement.GetProperty("stores")[0];
        Assert.Equal(1UL, first.GetProperty("store").GetProperty("id").GetUInt64());
        Assert.Equal("127.0.0.1:20161", first.GetProperty("store").GetProperty("address").GetString());
        Assert.Equal("Up", first.GetProperty("store").GetProperty("state_name").GetString());
        Assert.Equal(1, first.GetProperty("status").GetProperty("region_count").GetInt32());
        Assert.Equal(1, first.GetProperty("status").GetProperty("leader_count").GetInt32());
        Assert.Equal("100GiB", first.GetProperty("status").GetProperty("capacity").GetString());
        var second = stores.RootElement.GetProperty("stores")[1];
        var label = second.GetProperty("store").GetProperty("labels")[0];
        Assert.Equal("engine", label.GetProperty("key").GetString());
        Assert.Equal("tiflash", label.GetProperty("value").GetString());

        using (await GetJsonAsync(pd, "/pd/api/v1/store/99", HttpStatusCode.NotFound))
        {
        }

        using var delete = await pd.Http.DeleteAsync("/pd/api/v1/store/99", TestPd.Guard);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        using var offline = await pd.Http.DeleteAsync("/pd/api/v1/store/4", TestPd.Guard);
        Assert.Equal(HttpStatusCode.OK, offline.StatusCode);
        using var store4 = await GetJsonAsync(pd, "/pd/api/v1/store/4");
        var state = store4.RootElement.GetProperty("store").GetProperty("state_name").GetString();
        Assert.True(state is "Offline" or "Tombstone", state);
        Assert.Equal("Tombstone", await WaitForStateAsync(pd, 4, "Tombstone"));

        // Like PD, the list leaves tombstones out unless asked for them.
        using var upOnly = await GetJsonAsync(pd, "/pd/api/v1/stores");
        Assert.Equal(1, upOnly.RootElement.GetProperty("count").GetInt32());
        using var tombstones = await GetJsonAsync(pd, "/pd/api/v1/stores?state=2");
        Assert.Equal(4UL, tombstones.RootElement.GetProperty("stores")[0].GetProperty("store").GetProperty("id").GetUInt64());
        Assert.Equal(2, tombstones.RootElement.GetProperty("stores")[0].GetProperty("store").GetProperty("state").GetInt32());
        using var bad = await pd.Http.GetAsync("/pd/api/v1/stores?state=9", TestPd.Guard);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static async Task<string?> WaitForStateAsync(TestPd pd, ulong id, string wanted)
    {
        await TestPd.WaitUntilAsync(async () => await StateNameAsync(pd, id) == wanted, $"store {id} to be {wanted}");
        return await StateNameAsync(pd, id);
    }

    [Fact]
    public async Task Regions_region_stats_and_cluster_version()
    {
        await using var pd = await TestPd.StartAsync();
        await pd.BootstrapAsync();
        await pd.CallAsync(static (c, r, o) => c.ReportBatchSplitAsync(r, o), new ReportBatchSplitRequest
        {
            Header = pd.Header,
            Regions =
            {
                RegionTests.Region(40, "", "t\x80", 2, 1, (41, 1)),
                RegionTests.Region(2, "t\x80", "", 2, 1, (3, 1)),
            },
        });
        await using (var stream = pd.OpenHeartbeatStream())
        {
            await stream.SendAsync(new RegionHeartbeatRequest
            {
                Header = pd.Header,
                Region = RegionTests.Region(40, "", "t\x80", 2, 1, (41, 1)),
                Leader = new Rpc.Metapb.Peer { Id = 41, StoreId = 1 },
                ApproximateSize = 64UL << 20,
                ApproximateKeys = 1000,
            });
            await TestPd.WaitUntilAsync(async () =>
            {
                using var r = await GetJsonAsync(pd, "/pd/api/v1/region/id/40");
                return r.RootElement.GetProperty("approximate_keys").GetUInt64() == 1000;
            }, "region 40's stats");
        }

        using var regions = await GetJsonAsync(pd, "/pd/api/v1/regions");
        Assert.Equal(2, regions.RootElement.GetProperty("count").GetInt32());
        using var region = await GetJsonAsync(pd, "/pd/api/v1/region/id/40");
        Assert.Equal(40UL, region.RootElement.GetProperty("id").GetUInt64());
        Assert.Equal("", region.RootElement.GetProperty("start_key").GetString());
        Assert.Equal(Convert.ToHexString(RegionTests.Key("t\x80").Span), region.RootElement.GetProperty("end_key").GetString());
        Assert.Equal(64UL, region.RootElement.GetProperty("approximate_size").GetUInt64());
        Assert.Equal(41UL, region.RootElement.GetProperty("leader").GetProperty("id").GetUInt64());
        Assert.Equal(2UL, region.RootElement.GetProperty("epoch").GetProperty("version").GetUInt64());
        using (await GetJsonAsync(pd, "/pd/api/v1/region/id/12345", HttpStatusCode.NotFound))
        {
        }

        // br escapes the raw encoded key byte by byte (Go's url.QueryEscape); "t\x80" encodes to non-UTF-8 bytes.
        var start = Escape(MemComparable.EncodeBytes(Encoding.Latin1.GetBytes("a")));
        var end = Escape(MemComparable.EncodeBytes(Encoding.Latin1.GetBytes("t\x80")));
        using var stats = await GetJsonAsync(pd, $"/pd/api/v1/stats/region?start_key={start}&end_key={end}");
        Assert.Equal(1, stats.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(64UL, stats.RootElement.GetProperty("storage_size").GetUInt64());
        Assert.Equal(1000UL, stats.RootElement.GetProperty("storage_keys").GetUInt64());
        using var all = await GetJsonAsync(pd, "/pd/api/v1/stats/region?start_key=&end_key=");
        Assert.Equal(2, all.RootElement.GetProperty("count").GetInt32());
        using var tail = await GetJsonAsync(pd, $"/pd/api/v1/stats/region?start_key={end}&end_key=");
        Assert.Equal(1, tail.RootElement.GetProperty("count").GetInt32());

        using var version = await pd.Http.GetAsync("/pd/api/v1/config/cluster-version", TestPd.Guard);
        Assert.Equal(HttpStatusCode.OK, version.StatusCode);
        Assert.Equal("\"5.1.0\"", await version.Content.ReadAsStringAsync(TestPd.Guard));
    }

    [Fact]
    public async Task Schedulers_can_be_listed_removed_added_and_paused()
    {
        await using var pd = await TestPd.StartAsync(o => o with { EnableBalanceRegion = true });
        Assert.Equal(["balance-region-scheduler"], await SchedulersAsync(pd, ""));

        using var pause = await pd.Http.PostAsync("/pd/api/v1/schedulers/balance-region-scheduler", Json("{\"delay\":300}"), TestPd.Guard);
        Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        Assert.Equal(["balance-region-scheduler"], await SchedulersAsync(pd, "?status=paused"));
        using var resume = await pd.Http.PostAsync("/pd/api/v1/schedulers/balance-region-scheduler", Json("{\"delay\":0}"), TestPd.Guard);
        Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        Assert.Empty(await SchedulersAsync(pd, "?status=paused"));

        using var remove = await pd.Http.DeleteAsync("/pd/api/v1/schedulers/balance-region-scheduler", TestPd.Guard);
        Assert.Equal(HttpStatusCode.OK, remove.StatusCode);
        Assert.Empty(await SchedulersAsync(pd, ""));
        using var removeAgain = await pd.Http.DeleteAsync("/pd/api/v1/schedulers/balance-region-scheduler", TestPd.Guard);
        Assert.Equal(HttpStatusCode.NotFound, removeAgain.StatusCode);

        await pd.RestartAsync();
        Assert.Empty(await SchedulersAsync(pd, ""));

        using var bad = await pd.Http.PostAsync("/pd/api/v1/schedulers", Json("{\"name\":\"no-such-scheduler\"}"), TestPd.Guard);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var add = await pd.Http.PostAsync("/pd/api/v1/schedulers", Json("{\"name\":\"balance-region-scheduler\"}"), TestPd.Guard);
        Assert.Equal(HttpStatusCode.OK, add.StatusCode);
        Assert.Equal(["balance-region-scheduler"], await SchedulersAsync(pd, ""));

        using var unknown = await pd.Http.GetAsync("/pd/api/v1/nothing-here", TestPd.Guard);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Gc_safepoint_endpoint_lists_services_and_the_gc_safepoint()
    {
        await using var pd = await TestPd.StartAsync(o => o with { GcLifeTime = TimeSpan.FromDays(365 * 100) });
        await pd.CallAsync(static (c, r, o) => c.UpdateGCSafePointAsync(r, o), new UpdateGCSafePointRequest { Header = pd.Header, SafePoint = 77 });
        await pd.CallAsync(static (c, r, o) => c.UpdateServiceGCSafePointAsync(r, o), new UpdateServiceGCSafePointRequest
        {
            Header = pd.Header,
            ServiceId = Google.Protobuf.ByteString.CopyFromUtf8("br-x"),
            TTL = 600,
            SafePoint = 90,
        });
        using var json = await GetJsonAsync(pd, "/pd/api/v1/gc/safepoint");
        Assert.Equal(77UL, json.RootElement.GetProperty("gc_safe_point").GetUInt64());
        var services = json.RootElement.GetProperty("service_gc_safe_points").EnumerateArray().ToList();
        var br = services.Single(s => s.GetProperty("service_id").GetString() == "br-x");
        Assert.Equal(90UL, br.GetProperty("safe_point").GetUInt64());
        Assert.True(br.GetProperty("expired_at").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Reset_ts_moves_timestamps_forward_only_and_survives_restart()
    {
        await using var pd = await TestPd.StartAsync();
        var target = Cairn.Common.Tso.Compose(DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds(), 5);
        using var reset = await pd.Http.PostAsync("/pd/api/v1/admin/reset-ts", Json($"{{\"tso\":\"{target}\"}}"), TestPd.Guard);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);

        await using (var stream = new TsoTests.TsoStream(pd))
        {
            var next = await stream.RequestAsync(1);
            Assert.True(Cairn.Common.Tso.Compose(next.Timestamp.Physical, next.Timestamp.Logical) > target);
        }

        using var back = await pd.Http.PostAsync("/pd/api/v1/admin/reset-ts", Json($"{{\"tso\":\"{target - 1000}\"}}"), TestPd.Guard);
        Assert.Equal(HttpStatusCode.Forbidden, back.StatusCode);
        using var malformed = await pd.Http.PostAsync("/pd/api/v1/admin/reset-ts", Json("{\"tso\":\"soon\"}"), TestPd.Guard);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        await pd.RestartAsync();
        await using var after = new TsoTests.TsoStream(pd);
        var restarted = await after.RequestAsync(1);
        Assert.True(Cairn.Common.Tso.Compose(restarted.Timestamp.Physical, restarted.Timestamp.Logical) > target);
    }

    [Fact]
    public async Task Schedule_config_reads_and_takes_updates_of_known_items()
    {
        await using var pd = await TestPd.StartAsync();
        using (var before = await GetJsonAsync(pd, "/pd/api/v1/config/schedule"))
        {
            Assert.Equal(20, before.RootElement.GetProperty("max-merge-region-size").GetInt32());
            Assert.Equal("true", before.RootElement.GetProperty("enable-location-replacement").GetString());
        }

        using var set = await pd.Http.PostAsync("/pd/api/v1/config/schedule?ttlSecond=300",
            Json("{\"max-merge-region-size\":0,\"max-merge-region-keys\":0,\"enable-location-replacement\":\"false\"}"), TestPd.Guard);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        using (var after = await GetJsonAsync(pd, "/pd/api/v1/config/schedule"))
        {
            Assert.Equal(0, after.RootElement.GetProperty("max-merge-region-size").GetInt32());
            Assert.Equal("false", after.RootElement.GetProperty("enable-location-replacement").GetString());
        }

        using var unknown = await pd.Http.PostAsync("/pd/api/v1/config/schedule", Json("{\"no-such-item\":1}"), TestPd.Guard);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public void Query_bytes_decode_percent_escapes_and_plus()
    {
        Assert.Equal(new byte[] { 0x74, 0x80, 0xFF, 0x20, 0x61 }, PdHttpApi.ParseQueryBytes("start_key=t%80%ff+a&end_key=", "start_key"));
        Assert.Equal(Array.Empty<byte>(), PdHttpApi.ParseQueryBytes("start_key=t&end_key=", "end_key"));
        Assert.Null(PdHttpApi.ParseQueryBytes("a=1", "end_key"));
    }

    private static async Task<List<string>> SchedulersAsync(TestPd pd, string query)
    {
        using var json = await GetJsonAsync(pd, "/pd/api/v1/schedulers" + query);
        return json.RootElement.EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Escape(byte[] bytes)
    {
        var builder = new StringBuilder();
        foreach (var b in bytes)
        {
            if (char.IsAsciiLetterOrDigit((char)b))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
