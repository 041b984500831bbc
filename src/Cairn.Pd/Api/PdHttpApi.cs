using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cairn.Pd.Cluster;
using Cairn.Pd.Gc;
using Cairn.Pd.Scheduling;
using Cairn.Pd.Timestamps;
using Cairn.Rpc;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Pd.Api;

/// <summary>
/// PD's HTTP admin API (the subset br and operators use) on its own HTTP/1.1 listener, routed by ASP.NET Core's
/// endpoint routing: a path with no handler answers 404, a known path with the wrong method 405, and every body is
/// checked before use, a bad one answering 400 with a message naming the field. JSON shapes follow PD's
/// (<see cref="PdHttpJson"/>).
/// </summary>
internal sealed class PdHttpApi : IAsyncDisposable
{
    private const string Prefix = "/pd/api/v1";
    private readonly PdServer _server;
    private readonly PdCluster _cluster;
    private readonly GcSafePointManager _gc;
    private readonly SchedulerController _schedulers;
    private readonly TsoAllocator _tso;
    private readonly ScheduleConfig _scheduleConfig;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private WebApplication? _app;

    public PdHttpApi(PdServer server, PdCluster cluster, GcSafePointManager gc, SchedulerController schedulers, TsoAllocator tso, ILoggerFactory loggerFactory)
    {
        _tso = tso;
        _scheduleConfig = new ScheduleConfig(server.Options);
        _server = server;
        _cluster = cluster;
        _gc = gc;
        _schedulers = schedulers;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<PdHttpApi>();
    }

    public IPEndPoint? EndPoint { get; private set; }

    public async Task StartAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        // The empty builder reads no configuration or environment (ASPNETCORE_URLS must not move pd's port) and
        // brings only Kestrel and routing.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(_loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        // pd's command owns SIGTERM and Ctrl-C; the default console lifetime would also act on them.
        builder.Services.AddNoSignalLifetime();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            options.Listen(endPoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                if (_server.Options.Tls is { } tls)
                {
                    listen.UseHttps(tls.ConfigureServer);
                }
            });
        });
        var app = builder.Build();
        app.UseTlsCommonNameCheck(_server.Options.Tls);
        app.UseRouting();
        app.Use(HandleErrorsAsync);
        Map(app);
        EndPoint = await EmbeddedWebHost.StartAsync(app, endPoint, cancellationToken).ConfigureAwait(false);
        _app = app;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Map(IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup(Prefix);
        api.MapGet("/stores", ListStoresAsync);
        api.MapGet("/store/{id}", GetStoreAsync);
        api.MapDelete("/store/{id}", DeleteStoreAsync);
        api.MapGet("/regions", ListRegionsAsync);
        api.MapGet("/region/id/{id}", GetRegionAsync);
        api.MapGet("/config/cluster-version", http => WriteJsonAsync(http, 200, w => w.WriteStringValue(_server.Options.ClusterVersion)));
        api.MapGet("/config/schedule", http => WriteRawJsonAsync(http, 200, _scheduleConfig.ToJson()));
        api.MapPost("/config/schedule", UpdateScheduleConfigAsync);
        api.MapPost("/admin/reset-ts", ResetTsAsync);
        api.MapGet("/stats/region", WriteRegionStatsAsync);
        api.MapGet("/schedulers", ListSchedulersAsync);
        api.MapPost("/schedulers", AddSchedulerAsync);
        api.MapPost("/schedulers/{name}", PauseSchedulerAsync);
        api.MapDelete("/schedulers/{name}", RemoveSchedulerAsync);
        api.MapGet("/gc/safepoint", ListSafePointsAsync);
    }

    // Errors answer in PD's shape (a JSON string) whatever produced them: routing (404, 405), a refused body (400) or
    // a failure inside a handler, which is logged once and answered 500 with its message instead of an empty body.
    private async Task HandleErrorsAsync(HttpContext http, RequestDelegate next)
    {
        if (http.GetEndpoint() is null)
        {
            await WriteErrorAsync(http, 404, $"no handler for {http.Request.Method} {http.Request.Path}").ConfigureAwait(false);
            return;
        }

        try
        {
            await next(http).ConfigureAwait(false);
            if (http.Response.StatusCode == 405 && !http.Response.HasStarted)
            {
                var allowed = http.Response.Headers.Allow.ToString();
                await WriteErrorAsync(http, 405, $"{http.Request.Method} is not allowed on {http.Request.Path} (allowed: {allowed})").ConfigureAwait(false);
            }
        }
        catch (PdHttpException e) when (!http.Response.HasStarted)
        {
            await WriteErrorAsync(http, e.Status, e.Message).ConfigureAwait(false);
        }
        catch (PdErrorException e) when (!http.Response.HasStarted)
        {
            await WriteErrorAsync(http, 500, e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && !http.Response.HasStarted)
        {
            PdHttpLog.RequestFailed(_logger, http.Request.Method, http.Request.Path.Value ?? "", e);
            await WriteErrorAsync(http, 500, e.Message).ConfigureAwait(false);
        }
    }

    private Task ListStoresAsync(HttpContext http)
    {
        if (!TryParseStateFilter(http, out var states))
        {
            throw new PdHttpException(400, "state must be 0 (Up), 1 (Offline) or 2 (Tombstone)");
        }

        var views = _cluster.StoreViews().FindAll(v => states.Contains(v.Store.State));
        return WriteJsonAsync(http, 200, w => PdHttpJson.WriteStores(w, views));
    }

    private Task GetStoreAsync(HttpContext http)
    {
        var view = Find(http, "store", _cluster.StoreView);
        return WriteJsonAsync(http, 200, w => PdHttpJson.WriteStore(w, view));
    }

    private Task DeleteStoreAsync(HttpContext http)
    {
        var id = RouteValue(http, "id");
        if (!TryParseId(id, out var storeId))
        {
            throw new PdHttpException(400, $"invalid store id {id}");
        }

        try
        {
            _cluster.SetStoreOffline(storeId);
        }
        catch (PdErrorException e)
        {
            throw new PdHttpException(e.Type == Rpc.Pdpb.ErrorType.EntryNotFound ? 404 : 410, e.Message);
        }

        return WriteJsonAsync(http, 200, w => w.WriteStringValue("The store is set as Offline."));
    }

    private Task ListRegionsAsync(HttpContext http)
    {
        var regions = _cluster.RegionViews([], []);
        return WriteJsonAsync(http, 200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("count", regions.Count);
            w.WriteStartArray("regions");
            foreach (var region in regions)
            {
                PdHttpJson.WriteRegion(w, region);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private Task GetRegionAsync(HttpContext http)
    {
        var view = Find(http, "region", _cluster.RegionView);
        return WriteJsonAsync(http, 200, w => PdHttpJson.WriteRegion(w, view));
    }

    /// <summary>The object named by the route's <c>{id}</c>, or a 404 naming it.</summary>
    private static T Find<T>(HttpContext http, string kind, Func<ulong, T?> find)
        where T : class
    {
        var id = RouteValue(http, "id");
        return TryParseId(id, out var value) && find(value) is { } found ? found : throw new PdHttpException(404, $"{kind} {id} not found");
    }

    private Task ListSchedulersAsync(HttpContext http)
    {
        var paused = string.Equals(QueryValue(http, "status"), "paused", StringComparison.Ordinal);
        var names = paused ? _schedulers.Paused() : _schedulers.Enabled();
        return WriteJsonAsync(http, 200, w =>
        {
            w.WriteStartArray();
            foreach (var name in names)
            {
                w.WriteStringValue(name);
            }

            w.WriteEndArray();
        });
    }

    private Task RemoveSchedulerAsync(HttpContext http)
    {
        var name = RouteValue(http, "name");
        if (!SchedulerController.IsKnown(name) || !_schedulers.SetEnabled(name, false))
        {
            throw new PdHttpException(404, $"scheduler {name} not found");
        }

        return WriteJsonAsync(http, 200, w => w.WriteStringValue("The scheduler is removed."));
    }

    private Task ListSafePointsAsync(HttpContext http)
    {
        var points = _gc.ListServiceSafePoints();
        var gcSafePoint = _gc.GcSafePoint;
        return WriteJsonAsync(http, 200, w =>
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
        });
    }

    private async Task WriteRegionStatsAsync(HttpContext http)
    {
        // br sends raw encoded keys, URL-escaped byte by byte; they are not UTF-8, so decode the raw query string.
        var start = QueryBytes(http, "start_key") ?? [];
        var end = QueryBytes(http, "end_key") ?? [];
        if (end.Length > 0 && start.AsSpan().SequenceCompareTo(end) > 0)
        {
            throw new PdHttpException(400, "start_key is after end_key");
        }

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
            PdHttpJson.WriteCounts(w, "store_leader_count", leaders);
            PdHttpJson.WriteCounts(w, "store_peer_count", peers);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task UpdateScheduleConfigAsync(HttpContext http)
    {
        var items = await ReadObjectAsync(http, "a JSON object of schedule config items").ConfigureAwait(false);
        if (_scheduleConfig.Update(items) is { } error)
        {
            throw new PdHttpException(400, error);
        }

        await WriteJsonAsync(http, 200, w => w.WriteStringValue("The config is updated.")).ConfigureAwait(false);
    }

    private async Task ResetTsAsync(HttpContext http)
    {
        const string Shape = "{\"tso\": \"<timestamp>\"}";
        var body = await ReadObjectAsync(http, Shape).ConfigureAwait(false);
        var ts = body["tso"] switch
        {
            JsonValue v when v.TryGetValue(out string? text) && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) => parsed,
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out ulong parsed) => parsed,
            null => throw new PdHttpException(400, $"tso is missing: the body must be {Shape}"),
            _ => throw new PdHttpException(400, "tso: invalid tso value, expected a decimal TSO"),
        };

        switch (_tso.ResetAbove(ts, _server.Options.MaxGapResetTs))
        {
            case TsoResetResult.Overflow:
                throw new PdHttpException(400, $"tso: the physical part of {ts} overflows the 46-bit field");
            case TsoResetResult.NotAbove:
                // PD answers 403 when asked to move time backwards; br accepts that as "already above".
                throw new PdHttpException(403, "the specified ts is smaller than the current timestamp");
            case TsoResetResult.TooFarAhead:
                throw new PdHttpException(403, $"the specified ts is too larger than now: more than max-gap-reset-ts ({_server.Options.MaxGapResetTs.TotalHours:0.###}h) ahead");
        }

        await WriteJsonAsync(http, 200, w => w.WriteStringValue("Reset ts successfully.")).ConfigureAwait(false);
    }

    private async Task AddSchedulerAsync(HttpContext http)
    {
        const string Shape = "{\"name\": \"<scheduler>\"}";
        var body = await ReadObjectAsync(http, Shape).ConfigureAwait(false);
        var name = body["name"] switch
        {
            JsonValue v when v.TryGetValue(out string? text) => text,
            null => throw new PdHttpException(400, $"name is missing: the body must be {Shape}"),
            _ => throw new PdHttpException(400, "name must be a string"),
        };

        if (!SchedulerController.IsKnown(name))
        {
            throw new PdHttpException(400, $"unknown scheduler {name}");
        }

        _schedulers.SetEnabled(name, true);
        await WriteJsonAsync(http, 200, w => w.WriteStringValue("The scheduler is created.")).ConfigureAwait(false);
    }

    private async Task PauseSchedulerAsync(HttpContext http)
    {
        const string Shape = "{\"delay\": <seconds>}";
        var name = RouteValue(http, "name");
        if (!SchedulerController.IsKnown(name) || !_schedulers.Enabled().Contains(name))
        {
            throw new PdHttpException(404, $"scheduler {name} not found");
        }

        var body = await ReadObjectAsync(http, Shape).ConfigureAwait(false);
        var delay = body["delay"] switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long seconds) => seconds,
            null => throw new PdHttpException(400, $"delay is missing: the body must be {Shape}"),
            _ => throw new PdHttpException(400, "delay must be a whole number of seconds"),
        };

        _schedulers.Pause(delay);
        await WriteJsonAsync(http, 200, w => w.WriteStringValue(delay <= 0 ? "Resume the scheduler successfully." : "Pause the scheduler successfully."))
            .ConfigureAwait(false);
    }

    /// <summary>The request body as a JSON object, or a 400 that says what the body must be.</summary>
    private static async Task<JsonObject> ReadObjectAsync(HttpContext http, string shape)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new PdHttpException(400, $"the body is not JSON ({e.Message}); it must be {shape}");
        }

        return node as JsonObject ?? throw new PdHttpException(400, $"the body must be {shape}, got {(node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant())}");
    }

    private static string RouteValue(HttpContext http, string name) => http.Request.RouteValues[name] as string ?? "";

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
}
