using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cairn.Rpc.Metapb;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cairn.Pd;

/// <summary>
/// PD's HTTP admin API (the subset br and operators use) on its own HTTP/1.1 listener. JSON shapes follow PD's:
/// stores as <c>{"count", "stores": [{"store": {..., "state_name"}, "status": {...}}]}</c>, regions with hex keys,
/// sizes of regions in MiB.
/// </summary>
internal sealed class PdHttpApi : IAsyncDisposable
{
    private const string Prefix = "/pd/api/v1/";
    private readonly PdServer _server;
    private readonly PdCluster _cluster;
    private readonly GcSafePointManager _gc;
    private readonly SchedulerController _schedulers;
    private readonly TsoAllocator _tso;
    private readonly ScheduleConfig _scheduleConfig;
    private readonly ILoggerFactory _loggerFactory;
    private KestrelServer? _kestrel;
    private ServiceProvider? _services;

    public PdHttpApi(PdServer server, PdCluster cluster, GcSafePointManager gc, SchedulerController schedulers, TsoAllocator tso, ILoggerFactory loggerFactory)
    {
        _tso = tso;
        _scheduleConfig = new ScheduleConfig(server.Options);
        _server = server;
        _cluster = cluster;
        _gc = gc;
        _schedulers = schedulers;
        _loggerFactory = loggerFactory;
    }

    public IPEndPoint? EndPoint { get; private set; }

    public async Task StartAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        _services = new ServiceCollection().AddSingleton(_loggerFactory).BuildServiceProvider();
        var options = new KestrelServerOptions { AddServerHeader = false, ApplicationServices = _services };
        options.Listen(endPoint, listen => listen.Protocols = HttpProtocols.Http1);
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), _loggerFactory);
        var kestrel = new KestrelServer(Options.Create(options), transport, _loggerFactory);
        try
        {
            await kestrel.StartAsync(new Application(this), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            kestrel.Dispose();
            throw;
        }

        _kestrel = kestrel;
        var address = kestrel.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no bound address.");
        EndPoint = new IPEndPoint(endPoint.Address, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        if (_kestrel is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _kestrel.StopAsync(timeout.Token).ConfigureAwait(false);
            _kestrel.Dispose();
        }

        if (_services is not null)
        {
            await _services.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        var method = http.Request.Method;
        try
        {
            if (!path.StartsWith(Prefix, StringComparison.Ordinal))
            {
                await WriteErrorAsync(http, 404, "not found").ConfigureAwait(false);
                return;
            }

            var parts = path[Prefix.Length..].TrimEnd('/').Split('/');
            switch (parts)
            {
                case ["stores"] when HttpMethods.IsGet(method):
                    if (!TryParseStateFilter(http, out var states))
                    {
                        await WriteErrorAsync(http, 400, "state must be 0 (Up), 1 (Offline) or 2 (Tombstone)").ConfigureAwait(false);
                        return;
                    }

                    var views = _cluster.StoreViews().FindAll(v => states.Contains(v.Store.State));
                    await WriteJsonAsync(http, 200, w => WriteStores(w, views)).ConfigureAwait(false);
                    return;
                case ["store", var id] when HttpMethods.IsGet(method):
                    if (!TryParseId(id, out var storeId) || _cluster.StoreView(storeId) is not { } view)
                    {
                        await WriteErrorAsync(http, 404, $"store {id} not found").ConfigureAwait(false);
                        return;
                    }

                    await WriteJsonAsync(http, 200, w => WriteStore(w, view)).ConfigureAwait(false);
                    return;
                case ["store", var id] when HttpMethods.IsDelete(method):
                    if (!TryParseId(id, out storeId))
                    {
                        await WriteErrorAsync(http, 400, $"invalid store id {id}").ConfigureAwait(false);
                        return;
                    }

                    try
                    {
                        _cluster.SetStoreOffline(storeId);
                    }
                    catch (PdErrorException e)
                    {
                        await WriteErrorAsync(http, e.Type == Rpc.Pdpb.ErrorType.EntryNotFound ? 404 : 410, e.Message).ConfigureAwait(false);
                        return;
                    }

                    await WriteJsonAsync(http, 200, w => w.WriteStringValue("The store is set as Offline.")).ConfigureAwait(false);
                    return;
                case ["regions"] when HttpMethods.IsGet(method):
                    var regions = _cluster.RegionViews([], []);
                    await WriteJsonAsync(http, 200, w =>
                    {
                        w.WriteStartObject();
                        w.WriteNumber("count", regions.Count);
                        w.WriteStartArray("regions");
                        foreach (var region in regions)
                        {
                            WriteRegion(w, region);
                        }

                        w.WriteEndArray();
                        w.WriteEndObject();
                    }).ConfigureAwait(false);
                    return;
                case ["region", "id", var id] when HttpMethods.IsGet(method):
                    if (!TryParseId(id, out var regionId) || _cluster.RegionView(regionId) is not { } regionView)
                    {
                        await WriteErrorAsync(http, 404, $"region {id} not found").ConfigureAwait(false);
                        return;
                    }

                    await WriteJsonAsync(http, 200, w => WriteRegion(w, regionView)).ConfigureAwait(false);
                    return;
                case ["config", "cluster-version"] when HttpMethods.IsGet(method):
                    await WriteJsonAsync(http, 200, w => w.WriteStringValue(_server.Options.ClusterVersion)).ConfigureAwait(false);
                    return;
                case ["config", "schedule"] when HttpMethods.IsGet(method):
                    await WriteRawJsonAsync(http, 200, _scheduleConfig.ToJson()).ConfigureAwait(false);
                    return;
                case ["config", "schedule"] when HttpMethods.IsPost(method):
                    await UpdateScheduleConfigAsync(http).ConfigureAwait(false);
                    return;
                case ["admin", "reset-ts"] when HttpMethods.IsPost(method):
                    await ResetTsAsync(http).ConfigureAwait(false);
                    return;
                case ["stats", "region"] when HttpMethods.IsGet(method):
                    await WriteRegionStatsAsync(http).ConfigureAwait(false);
                    return;
                case ["schedulers"] when HttpMethods.IsGet(method):
                    var paused = string.Equals(QueryValue(http, "status"), "paused", StringComparison.Ordinal);
                    var names = paused ? _schedulers.Paused() : _schedulers.Enabled();
                    await WriteJsonAsync(http, 200, w =>
                    {
                        w.WriteStartArray();
                        foreach (var name in names)
                        {
                            w.WriteStringValue(name);
                        }

                        w.WriteEndArray();
                    }).ConfigureAwait(false);
                    return;
                case ["schedulers"] when HttpMethods.IsPost(method):
                    await AddSchedulerAsync(http).ConfigureAwait(false);
                    return;
                case ["schedulers", var name] when HttpMethods.IsPost(method):
                    await PauseSchedulerAsync(http, name).ConfigureAwait(false);
                    return;
                case ["schedulers", var name] when HttpMethods.IsDelete(method):
                    if (!SchedulerController.IsKnown(name) || !_schedulers.SetEnabled(name, false))
                    {
                        await WriteErrorAsync(http, 404, $"scheduler {name} not found").ConfigureAwait(false);
                        return;
                    }

                    await WriteJsonAsync(http, 200, w => w.WriteStringValue("The scheduler is removed.")).ConfigureAwait(false);
                    return;
                case ["gc", "safepoint"] when HttpMethods.IsGet(method):
                    var points = _gc.ListServiceSafePoints();
                    var gcSafePoint = _gc.GcSafePoint;
                    await WriteJsonAsync(http, 200, w =>
                    {
                        w.WriteStartObject();
                        w.WriteStartArray("service_gc_safe_points");
                        foreach (var point in points)
                        {
                            w.WriteStartObject();
                            w.WriteString("service_id", point.ServiceId);
                            w.WriteNumber("expired_at", point.ExpiresAtUnixSeconds);
                            w.WriteNumber("safe_point", point.SafePoint);
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                        w.WriteNumber("gc_safe_point", gcSafePoint);
                        w.WriteEndObject();
                    }).ConfigureAwait(false);
                    return;
                default:
                    await WriteErrorAsync(http, 404, $"no handler for {method} {path}").ConfigureAwait(false);
                    return;
            }
        }
        catch (PdErrorException e)
        {
            await WriteErrorAsync(http, 500, e.Message).ConfigureAwait(false);
        }
    }

    private async Task WriteRegionStatsAsync(HttpContext http)
    {
        // br sends raw encoded keys, URL-escaped byte by byte; they are not UTF-8, so decode the raw query string.
        var start = QueryBytes(http, "start_key") ?? [];
        var end = QueryBytes(http, "end_key") ?? [];
        var regions = _cluster.RegionViews(start, end);
        ulong size = 0, keys = 0;
        var empty = 0;
        var leaders = new SortedDictionary<ulong, int>();
        var peers = new SortedDictionary<ulong, int>();
        foreach (var region in regions)
        {
            size += region.ApproximateSize;
            keys += region.ApproximateKeys;
            if (region.ApproximateSize <= 1024 * 1024)
            {
                empty++;
            }

            if (region.Leader is { } leader)
            {
                leaders[leader.StoreId] = leaders.GetValueOrDefault(leader.StoreId) + 1;
            }

            foreach (var peer in region.Meta.Peers)
            {
                peers[peer.StoreId] = peers.GetValueOrDefault(peer.StoreId) + 1;
            }
        }

        await WriteJsonAsync(http, 200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("count", regions.Count);
            w.WriteNumber("empty_count", empty);
            w.WriteNumber("storage_size", size / (1024 * 1024));
            w.WriteNumber("storage_keys", keys);
            WriteCounts(w, "store_leader_count", leaders);
            WriteCounts(w, "store_peer_count", peers);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task UpdateScheduleConfigAsync(HttpContext http)
    {
        JsonObject? items;
        try
        {
            items = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false) as JsonObject;
        }
        catch (JsonException)
        {
            items = null;
        }

        if (items is null)
        {
            await WriteErrorAsync(http, 400, "the body must be a JSON object of schedule config items").ConfigureAwait(false);
            return;
        }

        if (_scheduleConfig.Update(items) is { } unknown)
        {
            await WriteErrorAsync(http, 400, $"config item {unknown} not found").ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(http, 200, w => w.WriteStringValue("The config is updated.")).ConfigureAwait(false);
    }

    private async Task ResetTsAsync(HttpContext http)
    {
        ulong? ts = null;
        try
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
            if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("tso", out var value))
            {
                if (value.ValueKind == JsonValueKind.String && ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                {
                    ts = parsed;
                }
                else if (value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out parsed))
                {
                    ts = parsed;
                }
            }
        }
        catch (JsonException)
        {
        }

        if (ts is null)
        {
            await WriteErrorAsync(http, 400, "the body must be {\"tso\": \"<timestamp>\"}").ConfigureAwait(false);
            return;
        }

        switch (_tso.ResetAbove(ts.Value, _server.Options.MaxGapResetTs))
        {
            case TsoResetResult.Overflow:
                await WriteErrorAsync(http, 400, $"tso: the physical part of {ts.Value} overflows the 46-bit field").ConfigureAwait(false);
                return;
            case TsoResetResult.NotAbove:
                // PD answers 403 when asked to move time backwards; br accepts that as "already above".
                await WriteErrorAsync(http, 403, "the specified ts is smaller than the current timestamp").ConfigureAwait(false);
                return;
            case TsoResetResult.TooFarAhead:
                await WriteErrorAsync(http, 403, $"the specified ts is too larger than now: more than max-gap-reset-ts ({_server.Options.MaxGapResetTs.TotalHours:0.###}h) ahead").ConfigureAwait(false);
                return;
        }

        await WriteJsonAsync(http, 200, w => w.WriteStringValue("Reset ts successfully.")).ConfigureAwait(false);
    }

    private async Task AddSchedulerAsync(HttpContext http)
    {
        string? name = null;
        try
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
            if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
            {
                name = n.GetString();
            }
        }
        catch (JsonException)
        {
        }

        if (name is null)
        {
            await WriteErrorAsync(http, 400, "the body must be {\"name\": \"<scheduler>\"}").ConfigureAwait(false);
            return;
        }

        if (!SchedulerController.IsKnown(name))
        {
            await WriteErrorAsync(http, 400, $"unknown scheduler {name}").ConfigureAwait(false);
            return;
        }

        _schedulers.SetEnabled(name, true);
        await WriteJsonAsync(http, 200, w => w.WriteStringValue("The scheduler is created.")).ConfigureAwait(false);
    }

    private async Task PauseSchedulerAsync(HttpContext http, string name)
    {
        if (!SchedulerController.IsKnown(name) || !_schedulers.Enabled().Contains(name))
        {
            await WriteErrorAsync(http, 404, $"scheduler {name} not found").ConfigureAwait(false);
            return;
        }

        long delay;
        try
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
            if (!body.RootElement.TryGetProperty("delay", out var d) || !d.TryGetInt64(out delay))
            {
                await WriteErrorAsync(http, 400, "the body must be {\"delay\": <seconds>}").ConfigureAwait(false);
                return;
            }
        }
        catch (JsonException)
        {
            await WriteErrorAsync(http, 400, "the body must be {\"delay\": <seconds>}").ConfigureAwait(false);
            return;
        }

        _schedulers.Pause(delay);
        await WriteJsonAsync(http, 200, w => w.WriteStringValue(delay <= 0 ? "Resume the scheduler successfully." : "Pause the scheduler successfully."))
            .ConfigureAwait(false);
    }

    /// <summary>PD's <c>?state=N</c> filter (repeatable); without it, tombstone stores are left out as PD does.</summary>
    private static bool TryParseStateFilter(HttpContext http, out HashSet<StoreState> states)
    {
        states = [];
        foreach (var value in http.Request.Query["state"])
        {
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 0 or > 2)
            {
                return false;
            }

            states.Add((StoreState)number);
        }

        if (states.Count == 0)
        {
            states.Add(StoreState.Up);
            states.Add(StoreState.Offline);
        }

        return true;
    }

    private static void WriteCounts(Utf8JsonWriter w, string name, SortedDictionary<ulong, int> counts)
    {
        w.WriteStartObject(name);
        foreach (var (store, count) in counts)
        {
            w.WriteNumber(store.ToString(CultureInfo.InvariantCulture), count);
        }

        w.WriteEndObject();
    }

    private static void WriteStores(Utf8JsonWriter w, List<StoreView> stores)
    {
        w.WriteStartObject();
        w.WriteNumber("count", stores.Count);
        w.WriteStartArray("stores");
        foreach (var store in stores)
        {
            WriteStore(w, store);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteStore(Utf8JsonWriter w, StoreView view)
    {
        var s = view.Store;
        w.WriteStartObject();
        w.WriteStartObject("store");
        w.WriteNumber("id", s.Id);
        w.WriteString("address", s.Address);
        if (s.State != StoreState.Up)
        {
            w.WriteNumber("state", (int)s.State);
        }

        w.WriteStartArray("labels");
        foreach (var label in s.Labels)
        {
            w.WriteStartObject();
            w.WriteString("key", label.Key);
            w.WriteString("value", label.Value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("version", s.Version);
        w.WriteString("peer_address", s.PeerAddress);
        w.WriteString("status_address", s.StatusAddress);
        w.WriteString("git_hash", s.GitHash);
        w.WriteNumber("start_timestamp", s.StartTimestamp);
        w.WriteString("deploy_path", s.DeployPath);
        w.WriteNumber("last_heartbeat", s.LastHeartbeat);
        w.WriteString("state_name", view.StateName.ToString());
        w.WriteEndObject();

        var stats = view.Stats;
        w.WriteStartObject("status");
        w.WriteString("capacity", ByteSize(stats?.Capacity ?? 0));
        w.WriteString("available", ByteSize(stats?.Available ?? 0));
        w.WriteString("used_size", ByteSize(stats?.UsedSize ?? 0));
        w.WriteNumber("leader_count", view.LeaderCount);
        w.WriteNumber("leader_weight", 1);
        w.WriteNumber("leader_score", view.LeaderCount);
        w.WriteNumber("region_count", view.RegionCount);
        w.WriteNumber("region_weight", 1);
        w.WriteNumber("region_score", view.RegionCount);
        w.WriteNumber("region_size", view.RegionSize / (1024 * 1024));
        if (stats is { StartTime: > 0 })
        {
            w.WriteString("start_ts", DateTimeOffset.FromUnixTimeSeconds(stats.StartTime).ToString("O", CultureInfo.InvariantCulture));
        }

        if (view.LastHeartbeat is { } last)
        {
            w.WriteString("last_heartbeat_ts", last.ToString("O", CultureInfo.InvariantCulture));
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteRegion(Utf8JsonWriter w, RegionView r)
    {
        w.WriteStartObject();
        w.WriteNumber("id", r.Meta.Id);
        w.WriteString("start_key", Convert.ToHexString(r.Meta.StartKey.Span));
        w.WriteString("end_key", Convert.ToHexString(r.Meta.EndKey.Span));
        w.WriteStartObject("epoch");
        w.WriteNumber("conf_ver", r.Meta.RegionEpoch?.ConfVer ?? 0);
        w.WriteNumber("version", r.Meta.RegionEpoch?.Version ?? 0);
        w.WriteEndObject();
        w.WriteStartArray("peers");
        foreach (var peer in r.Meta.Peers)
        {
            WritePeer(w, peer);
        }

        w.WriteEndArray();
        if (r.Leader is { } leader)
        {
            w.WritePropertyName("leader");
            WritePeer(w, leader);
        }

        w.WriteStartArray("down_peers");
        foreach (var down in r.DownPeers)
        {
            w.WriteStartObject();
            w.WritePropertyName("peer");
            WritePeer(w, down.Peer ?? new Peer());
            w.WriteNumber("down_seconds", down.DownSeconds);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("pending_peers");
        foreach (var pending in r.PendingPeers)
        {
            WritePeer(w, pending);
        }

        w.WriteEndArray();
        w.WriteNumber("written_bytes", r.BytesWritten);
        w.WriteNumber("read_bytes", r.BytesRead);
        w.WriteNumber("written_keys", r.KeysWritten);
        w.WriteNumber("read_keys", r.KeysRead);
        w.WriteNumber("approximate_size", r.ApproximateSize / (1024 * 1024));
        w.WriteNumber("approximate_keys", r.ApproximateKeys);
        w.WriteEndObject();
    }

    private static void WritePeer(Utf8JsonWriter w, Peer peer)
    {
        w.WriteStartObject();
        w.WriteNumber("id", peer.Id);
        w.WriteNumber("store_id", peer.StoreId);
        w.WriteString("role_name", peer.Role.ToString());
        w.WriteEndObject();
    }

    /// <summary>A byte count the way PD prints one (binary units, up to 4 significant digits): <c>1.5GiB</c>.</summary>
    internal static string ByteSize(ulong bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("0.###", CultureInfo.InvariantCulture) + units[unit];
    }

    private static bool TryParseId(string text, out ulong id) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    private static string? QueryValue(HttpContext http, string name) => QueryBytes(http, name) is { } b ? Encoding.UTF8.GetString(b) : null;

    /// <summary>The first value of a query parameter decoded to raw bytes (percent escapes and '+' as space).</summary>
    internal static byte[]? QueryBytes(HttpContext http, string name) => ParseQueryBytes(http.Request.QueryString.Value, name);

    internal static byte[]? ParseQueryBytes(string? query, string name)
    {
        if (string.IsNullOrEmpty(query))
        {
            return null;
        }

        foreach (var pair in query.TrimStart('?').Split('&'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? pair : pair[..eq];
            if (!string.Equals(Encoding.UTF8.GetString(PercentDecode(key)), name, StringComparison.Ordinal))
            {
                continue;
            }

            return eq < 0 ? [] : PercentDecode(pair[(eq + 1)..]);
        }

        return null;
    }

    private static byte[] PercentDecode(string text)
    {
        var output = new ArrayBufferWriter<byte>(Math.Max(16, text.Length));
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '+')
            {
                output.Write([(byte)' ']);
            }
            else if (c == '%' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
            {
                output.Write([(byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]))]);
                i += 2;
            }
            else
            {
                var length = char.IsHighSurrogate(c) && i + 1 < text.Length ? 2 : 1;
                output.Write(Encoding.UTF8.GetBytes(text.Substring(i, length)));
                i += length - 1;
            }
        }

        return output.WrittenSpan.ToArray();
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static async Task WriteJsonAsync(HttpContext http, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }

        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=UTF-8";
        http.Response.ContentLength = buffer.WrittenCount;
        await http.Response.Body.WriteAsync(buffer.WrittenMemory, http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteRawJsonAsync(HttpContext http, int status, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=UTF-8";
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
    }

    private static Task WriteErrorAsync(HttpContext http, int status, string message) => WriteJsonAsync(http, status, w => w.WriteStringValue(message));

    private sealed class Application(PdHttpApi api) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

        public Task ProcessRequestAsync(HttpContext context) => api.HandleAsync(context);

        public void DisposeContext(HttpContext context, Exception? exception)
        {
        }
    }
}
