using System.Net;
using Cairn.Rpc;
using Cairn.Rpc.Metapb;
using MetaStore = Cairn.Rpc.Metapb.Store;
using Cairn.Store.Engine;
using Cairn.Store.Raw;
using Cairn.Store.Regions;
using Cairn.Store.Services;
using Cairn.Store.Txn;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Store;

/// <summary>
/// One store process: the engine, its regions and the RPC server with one service class per area
/// (<see cref="TikvService"/>, <see cref="StoreAdminService"/>); backup, SST import, coprocessor and pd heartbeats
/// register beside them in <see cref="StartAsync"/>.
/// </summary>
public sealed class StoreNode : IAsyncDisposable
{
    private readonly StoreNodeOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private StoreEngine? _engine;
    private RpcServer? _server;
    private RegionManager? _regions;
    private int _state;

    /// <summary>Creates a node; nothing is opened until <see cref="StartAsync"/>.</summary>
    public StoreNode(StoreNodeOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<StoreNode>();
    }

    /// <summary>The options the node runs with.</summary>
    public StoreNodeOptions Options => _options;

    /// <summary>This store's ID (after start).</summary>
    public ulong StoreId => Regions.StoreId;

    /// <summary>The bound address as <c>host:port</c> (after start; the real port when port 0 was asked for).</summary>
    public string Address => $"{EndPoint.Address}:{EndPoint.Port}";

    /// <summary>The bound endpoint (after start).</summary>
    public IPEndPoint EndPoint => (_server ?? throw NotStarted()).EndPoint;

    /// <summary>The store's regions (after start).</summary>
    public RegionManager Regions => _regions ?? throw NotStarted();

    /// <summary>The store's engine (after start), for services added beside the KV service.</summary>
    public StoreEngine Engine => _engine ?? throw NotStarted();

    /// <summary>Opens the engine, loads or bootstraps the store, and starts serving.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The store node was already started.");
        }

        StoreEngine engine;
        try
        {
            _options.Validate();
            engine = StoreEngine.Open(_options.DataDir, _options.BlockCacheSize, _options.SyncWrites);
        }
        catch
        {
            // A node that failed to start has nothing left to stop.
            Volatile.Write(ref _state, 2);
            throw;
        }

        RpcServer? server = null;
        try
        {
            var ids = new LocalIdAllocator(engine);
            var isNew = engine.Db.Get(engine.Default, LocalKeys.StoreIdent) is null;
            var regions = await RegionManager.LoadOrBootstrapAsync(engine, ids, cancellationToken).ConfigureAwait(false);
            if (isNew)
            {
                StoreLog.Bootstrapped(_logger, regions.StoreId, _options.DataDir, regions.GetRegions()[0].Id);
            }
            else
            {
                StoreLog.Opened(_logger, regions.StoreId, _options.DataDir, regions.Count);
            }

            var latches = new Latches(_options.LatchSlots);
            var admission = new AdmissionControl(_options.MaxInFlightRequests);
            server = new RpcServer(new RpcServerOptions { EndPoint = _options.EndPoint }, _loggerFactory);
            var serviceLogger = _loggerFactory.CreateLogger("Cairn.Store.Services");
            new TikvService(regions, new TxnStorage(engine, latches), new RawStorage(engine), admission, ids, serviceLogger).Register(server);
            new StoreAdminService(regions, ids, DescribeStore(regions.StoreId), serviceLogger).Register(server);
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
            _engine = engine;
            _regions = regions;
            _server = server;
            StoreLog.Serving(_logger, regions.StoreId, Address);
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            engine.Dispose();
            // A node that failed to start has nothing left to stop.
            Volatile.Write(ref _state, 2);
            throw;
        }
    }

    /// <summary>Stops serving (letting running calls finish until <paramref name="cancellationToken"/> fires) and closes the engine.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1 || _regions is null)
        {
            return;
        }

        StoreLog.Stopping(_logger, _regions!.StoreId);
        if (_server is not null)
        {
            await _server.StopAsync(cancellationToken).ConfigureAwait(false);
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        _engine?.Dispose();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await StopAsync(timeout.Token).ConfigureAwait(false);
    }

    private MetaStore DescribeStore(ulong storeId)
    {
        var store = new MetaStore { Id = storeId, Address = _options.Address, State = StoreState.Up };
        foreach (var (key, value) in _options.Labels)
        {
            store.Labels.Add(new StoreLabel { Key = key, Value = value });
        }

        return store;
    }

    private static InvalidOperationException NotStarted() => new("The store node has not been started.");
}
