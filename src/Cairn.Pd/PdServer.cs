using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Cairn.Pd.Api;
using Cairn.Pd.Cluster;
using Cairn.Pd.Gc;
using Cairn.Pd.Scheduling;
using Cairn.Pd.Timestamps;
using Cairn.Rpc;
using Cairn.Rpc.Pdpb;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Pd;

/// <summary>
/// A placement driver: the <c>pdpb.PD</c> gRPC service (timestamps, IDs, bootstrap, stores, regions, split and
/// scatter, GC safepoints) plus PD's HTTP admin API, with metadata persisted in its own RocksDB under
/// <see cref="PdServerOptions.DataDir"/>. It is a single member and always the leader.
/// </summary>
/// <remarks>
/// <para>The store side of the protocol, as pd expects it:</para>
/// <list type="number">
/// <item><b>Start-up.</b> Call GetMembers to learn the cluster id (every other request must carry it in its header,
/// or it is refused with a header error). If IsBootstrapped is false, allocate a store id, a region id and a peer id
/// with AllocID and call Bootstrap with the store and one region covering the whole key space (empty start and end
/// keys, epoch {conf_ver 1, version 1}, one peer on this store). Otherwise call PutStore with the store's id, address,
/// labels (<c>engine=tiflash</c> for a columnar store), version and status address; PutStore is also how a restarted
/// store updates them. A store pd made Tombstone gets STORE_TOMBSTONE and must not serve.</item>
/// <item><b>Store heartbeat.</b> Every few seconds (well under the disconnect time, 20 s by default) call
/// StoreHeartbeat with StoreStats: store_id, capacity, available, used_size, region_count, start_time and the traffic
/// of the period. A store silent for the disconnect time is reported Disconnected, after the down time Down; neither
/// receives scattered or balanced regions.</item>
/// <item><b>Region heartbeat.</b> Keep one RegionHeartbeat stream open; for every region this store leads send a
/// RegionHeartbeatRequest periodically and whenever its metadata changes: the region (id, encoded start/end keys,
/// epoch, peers), the leader peer, approximate_size (bytes) and approximate_keys, and the read/written bytes and keys
/// of the period. pd keeps a heartbeat only if its epoch is not older than what it holds (version, then conf_ver),
/// and drops regions the reported range overlaps. Reopen the stream if it ends (pd restarts end it).</item>
/// <item><b>Split.</b> To split a region at N keys, call AskBatchSplit{region, split_count = N}; the answer has N
/// SplitIDs, each a new region id plus one new peer id per peer of the region (in peer order). Apply the split
/// locally (the original region keeps its id and the last key range, the new ids take the ranges before it in order,
/// or any consistent assignment), raise every resulting region's epoch version, then call ReportBatchSplit with all
/// resulting regions, the original included, and send heartbeats for them.</item>
/// <item><b>Move.</b> pd moves a region with a RegionHeartbeatResponse carrying <c>change_peer_v2</c> with two
/// changes: AddNode of a new peer (new id, target store) and RemoveNode of the peer on the source store, plus
/// region_id, the region_epoch pd knew and target_peer (the leader). The leader ships the region's data to the target
/// store, the target ingests it and takes over as leader with the new peer, the source drops the range, and the
/// region's conf_ver increases. The next heartbeat (from the target) showing a peer on the target and none on the
/// source completes the operator. pd repeats the instruction on every heartbeat until then, so repeats of an
/// instruction already in progress must be ignored, as must instructions whose epoch is older than the region's.</item>
/// <item><b>GC.</b> Stores read the GC safepoint with GetGCSafePoint and may drop versions older than it.</item>
/// </list>
/// </remarks>
public sealed class PdServer : IAsyncDisposable
{
    private readonly PdStorage _storage;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly PdCluster _cluster;
    private readonly GcSafePointManager _gc;
    private readonly SchedulerController _schedulers;
    private readonly PdGrpcService _service;
    private readonly TsoAllocator _tso;
    private RpcServer? _rpc;
    private PdHttpApi? _http;
    private Task? _background;
    private volatile Member? _member;
    private int _disposed;

    private PdServer(PdServerOptions options, PdStorage storage, ILoggerFactory loggerFactory)
    {
        Options = options;
        _storage = storage;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<PdServer>();
        var time = TimeProvider.System;
        var clusterId = storage.LoadClusterId();
        if (clusterId is null)
        {
            // As PD does: the creation time in the high bits keeps ids of clusters made at different times apart.
            clusterId = ((ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds() << 32) | RandomUInt32();
            storage.SaveClusterId(clusterId.Value);
        }

        ClusterId = clusterId.Value;
        var ids = new IdAllocator(storage);
        var tso = new TsoAllocator(storage, time, options.TsoSaveWindow);
        _tso = tso;
        _cluster = new PdCluster(storage, ids, options, time, _logger);
        _gc = new GcSafePointManager(storage, time);
        _schedulers = new SchedulerController(storage, time, options.EnableBalanceRegion);
        _service = new PdGrpcService(this, _cluster, tso, ids, _gc, _logger, _stopping.Token);
    }

    /// <summary>The settings the server runs with.</summary>
    public PdServerOptions Options { get; }

    /// <summary>The cluster id: chosen at the first start, persisted, sent in every response header.</summary>
    public ulong ClusterId { get; }

    /// <summary>The bound gRPC address.</summary>
    public IPEndPoint EndPoint => _rpc?.EndPoint ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>The gRPC address as a URI, e.g. <c>http://127.0.0.1:2379</c>.</summary>
    public string Address => _rpc?.Address ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>The bound HTTP admin API address.</summary>
    public IPEndPoint HttpEndPoint => _http?.EndPoint ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>The HTTP admin API base address, e.g. <c>http://127.0.0.1:2380</c>.</summary>
    public string HttpAddress => string.Create(CultureInfo.InvariantCulture, $"{(Options.Tls is null ? "http" : "https")}://{FormatHost(HttpEndPoint)}");

    /// <summary>The current GC safepoint.</summary>
    public ulong GcSafePoint => _gc.GcSafePoint;

    /// <summary>What pd last heard about a region (for tests and tools), or null when it knows none with this id.</summary>
    public PdRegionStatus? GetRegionStatus(ulong regionId) =>
        _cluster.RegionView(regionId) is { } view
            ? new PdRegionStatus(view.Meta.Clone(), view.Leader?.Clone(), view.ApproximateSize, view.ApproximateKeys)
            : null;

    /// <summary>What pd last heard about a store (for tests and tools), or null when it knows none with this id.</summary>
    public PdStoreStatus? GetStoreStatus(ulong storeId) =>
        _cluster.StoreView(storeId) is { } view
            ? new PdStoreStatus(view.Store.Clone(), view.StateName.ToString(), view.Stats?.Clone(), view.RegionCount, view.LeaderCount)
            : null;

    /// <summary>This pd as a member; unavailable until both listeners are bound, so clients retry instead of learning no URL.</summary>
    internal Member Member => _member ?? throw new RpcException(StatusCode.Unavailable, "pd is starting");

    /// <summary>Opens the data directory, binds both listeners and starts the background work.</summary>
    public static async Task<PdServer> StartAsync(PdServerOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        PdStartupChecks.Run(options);
        var storage = new PdStorage(options.DataDir);
        PdServer? server = null;
        try
        {
            server = new PdServer(options, storage, loggerFactory);
            await server.StartListenersAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                storage.Dispose();
            }

            throw;
        }
    }

    /// <summary>Stops serving: ends open streams, stops both listeners and the background work, closes the metadata.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_background is not null)
        {
            try
            {
                await _background.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (_http is not null)
        {
            await _http.DisposeAsync().ConfigureAwait(false);
        }

        if (_rpc is not null)
        {
            await _rpc.DisposeAsync().ConfigureAwait(false);
        }

        _storage.Dispose();
        _stopping.Dispose();
    }

    private static uint RandomUInt32()
    {
        Span<byte> bytes = stackalloc byte[4];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt32(bytes);
    }

    private static string FormatHost(IPEndPoint endPoint) =>
        endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? string.Create(CultureInfo.InvariantCulture, $"[{endPoint.Address}]:{endPoint.Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{endPoint.Address}:{endPoint.Port}");

    private async Task StartListenersAsync(CancellationToken cancellationToken)
    {
        var rpc = new RpcServer(new RpcServerOptions { EndPoint = Options.EndPoint, ShutdownTimeout = TimeSpan.FromSeconds(2), Tls = Options.Tls }, _loggerFactory);
        rpc.AddService(_service);
        await rpc.StartAsync(cancellationToken).ConfigureAwait(false);
        _rpc = rpc;

        var httpEndPoint = Options.HttpEndPoint
            ?? new IPEndPoint(rpc.EndPoint.Address, Options.EndPoint.Port == 0 ? 0 : rpc.EndPoint.Port + 1);
        var http = new PdHttpApi(this, _cluster, _gc, _schedulers, _tso, _loggerFactory);
        _http = http;
        await http.StartAsync(httpEndPoint, cancellationToken).ConfigureAwait(false);
        // One member, always the leader; its member id only has to be stable for this cluster.
        _member = new Member
        {
            Name = Options.Name,
            MemberId = ClusterId ^ 0x9E3779B97F4A7C15UL,
            ClientUrls = { rpc.Address },
            PeerUrls = { HttpAddress },
        };

        _background = Task.Run(() => RunBackgroundAsync(_stopping.Token), CancellationToken.None);
        PdLog.Started(_logger, Address, HttpAddress, ClusterId);
    }

    private async Task RunBackgroundAsync(CancellationToken cancellationToken)
    {
        var lastGc = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(Options.ScheduleInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var dispatch = _cluster.Tick(_schedulers.BalanceActive, ClusterId);
                if (dispatch.Count > 0)
                {
                    await _service.DispatchAsync(dispatch).ConfigureAwait(false);
                }

                var now = DateTimeOffset.UtcNow;
                if (now - lastGc >= Options.GcRunInterval)
                {
                    lastGc = now;
                    var before = _gc.GcSafePoint;
                    var after = _gc.Advance(Options.GcLifeTime);
                    if (after != before)
                    {
                        PdLog.GcAdvanced(_logger, after);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                PdLog.BackgroundFailed(_logger, e);
            }
        }
    }
}
