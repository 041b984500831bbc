using System.Net;
using Cairn.Pd.Client;
using Cairn.Rpc;
using Cairn.Rpc.Metapb;
using Cairn.Store.Backup;
using Cairn.Store.Engine;
using Cairn.Store.Import;
using Cairn.Store.Pd;
using Cairn.Store.Raw;
using Cairn.Store.Regions;
using Cairn.Store.Services;
using Cairn.Store.Txn;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MetaStore = Cairn.Rpc.Metapb.Store;

namespace Cairn.Store;

/// <summary>
/// One store process: the engine, its regions and the RPC server with one service class per area
/// (<see cref="TikvService"/>, <see cref="StoreAdminService"/>, <see cref="RegionMover"/>); backup, SST import and
/// coprocessor register beside them in <see cref="StartAsync"/>.
/// </summary>
/// <remarks>
/// With <see cref="StoreNodeOptions.PdAddress"/> the node follows the protocol described on <c>Cairn.Pd.PdServer</c>:
/// a new store takes its store id (and, if the cluster is not bootstrapped, the first region's ids) from pd's
/// AllocID and writes them with pd's cluster id into its local identity before it bootstraps the cluster or calls
/// PutStore with its bound address; a restart keeps the identity, and an identity of another cluster (or of a
/// standalone store) fails the start. Then a background worker sends store heartbeats, keeps one region heartbeat
/// stream open, splits regions past the size/key thresholds with ids from AskBatchSplit (reported with
/// ReportBatchSplit, as are client-requested splits), carries out pd's moves and collects garbage up to pd's GC
/// safepoint. Region sizes are measured by scanning each region's data keys in every CF on the split-check
/// interval (bytes of keys and values; keys in the default and write CFs), which counts memtables too, unlike
/// RocksDB's approximate sizes.
/// </remarks>
public sealed class StoreNode : IAsyncDisposable
{
    private readonly StoreNodeOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    // Channels to other stores (region moves send SSTs to them); one per address for the node's lifetime.
    private readonly RpcChannelPool _channels;
    private StoreEngine? _engine;
    private RpcServer? _server;
    private RegionManager? _regions;
    private PdClient? _pd;
    private StorePdWorker? _worker;
    private RegionMover? _mover;
    private ImportModeSwitcher? _importMode;
    private BackupEndpoint? _backup;
    private int _state;

    /// <summary>Creates a node; nothing is opened until <see cref="StartAsync"/>.</summary>
    public StoreNode(StoreNodeOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _channels = new RpcChannelPool(new RpcChannelOptions { Tls = options.Tls });
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
    internal RegionManager Regions => _regions ?? throw NotStarted();

    /// <summary>The GC safepoint the store's GC worker last collected up to (0 without pd or before the first run).</summary>
    public ulong LastGcSafePoint => _worker?.LastGcSafePoint ?? 0;

    /// <summary>Completes when pd reports this store Tombstone (never for a standalone store); the host should stop it.</summary>
    public Task Tombstoned => _worker?.Tombstoned ?? Task.Delay(Timeout.Infinite, CancellationToken.None);

    /// <summary>The store's engine (after start), for services added beside the KV service.</summary>
    internal StoreEngine Engine => _engine ?? throw NotStarted();

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
            await StoreStartupChecks.RunAsync(_options, cancellationToken).ConfigureAwait(false);
            engine = StoreEngine.Open(_options.DataDir, _options.BlockCacheSize, _options.SyncWrites);
        }
        catch
        {
            // A node that failed to start has nothing left to stop.
            Volatile.Write(ref _state, 2);
            throw;
        }

        RpcServer? server = null;
        PdClient? pd = null;
        StorePdWorker? worker = null;
        RegionMover? mover = null;
        ImportModeSwitcher? importMode = null;
        BackupEndpoint? backup = null;
        try
        {
            IIdAllocator ids;
            RegionManager regions;
            Region? bootstrapRegion = null;
            if (_options.PdAddress is { } pdAddress)
            {
                pd = await PdClient.ConnectAsync([pdAddress], new PdClientOptions { RetryTimeout = _options.PdConnectTimeout, Tls = _options.Tls }, cancellationToken).ConfigureAwait(false);
                ids = new PdIdAllocator(pd);
                (regions, bootstrapRegion) = await JoinClusterAsync(engine, pd, ids, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var local = new LocalIdAllocator(engine);
                ids = local;
                var isNew = engine.Db.Get(engine.Default, LocalKeys.StoreIdent) is null;
                regions = await RegionManager.LoadOrBootstrapAsync(engine, local, cancellationToken).ConfigureAwait(false);
                if (regions.ClusterId != 0)
                {
                    throw new InvalidOperationException(
                        $"The store in {_options.DataDir} belongs to cluster {regions.ClusterId}; start it with --pd.");
                }

                if (isNew)
                {
                    StoreLog.Bootstrapped(_logger, regions.StoreId, _options.DataDir, regions.GetRegions()[0].Id);
                }
            }

            if (bootstrapRegion is null)
            {
                StoreLog.Opened(_logger, regions.StoreId, _options.DataDir, regions.Count);
            }

            var latches = new Latches(_options.LatchSlots);
            var admission = new AdmissionControl(_options.MaxInFlightRequests);
            server = new RpcServer(new RpcServerOptions { EndPoint = _options.EndPoint, Tls = _options.Tls }, _loggerFactory);
            var serviceLogger = _loggerFactory.CreateLogger("Cairn.Store.Services");
            var txn = new TxnStorage(engine, latches);
            server.AddService(new TikvService(regions, txn, new RawStorage(engine), admission, ids, new CoprocessorService(regions, txn, admission), serviceLogger));
            _regions = regions;
            mover = new RegionMover(engine, regions, pd, _channels, _options.DataDir, _loggerFactory.CreateLogger<RegionMover>());
            server.AddService(new StoreAdminService(regions, ids, () => DescribeStore(regions.StoreId), mover, serviceLogger));
            importMode = new ImportModeSwitcher(engine, _options.ImportModeTimeout, _loggerFactory.CreateLogger<ImportModeSwitcher>());
            server.AddService(CreateImportService(engine, regions, importMode));
            var backupLogger = _loggerFactory.CreateLogger("Cairn.Store.Backup");
            backup = new BackupEndpoint(engine, regions, _options.BackupThreads, _options.SstMaxSize, Path.Combine(_options.DataDir, "backup-tmp"), backupLogger);
            server.AddService(new BackupService(backup, new BackupStorageOpener(ServedHttpHandler(), backupLogger), backupLogger));
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
            _server = server;
            if (pd is not null)
            {
                // The real address is known only now (port 0 asks for a free one): register it.
                var store = DescribeStore(regions.StoreId);
                if (bootstrapRegion is not null)
                {
                    await BootstrapOrJoinAsync(pd, store, bootstrapRegion, regions, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await pd.PutStoreAsync(store, cancellationToken).ConfigureAwait(false);
                }

                worker = new StorePdWorker(_options, pd, regions, engine, txn, ids, mover, _loggerFactory.CreateLogger<StorePdWorker>());
                worker.Start();
            }

            _engine = engine;
            _pd = pd;
            _worker = worker;
            _mover = mover;
            _importMode = importMode;
            _backup = backup;
            StoreLog.Serving(_logger, regions.StoreId, Address);
        }
        catch
        {
            _regions = null;
            _server = null;
            if (worker is not null)
            {
                await worker.DisposeAsync().ConfigureAwait(false);
            }
            else if (mover is not null)
            {
                await mover.DisposeAsync().ConfigureAwait(false);
            }

            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            if (importMode is not null)
            {
                await importMode.DisposeAsync().ConfigureAwait(false);
            }

            if (pd is not null)
            {
                await pd.DisposeAsync().ConfigureAwait(false);
            }

            backup?.Dispose();
            engine.Dispose();
            // A node that failed to start has nothing left to stop.
            Volatile.Write(ref _state, 2);
            throw;
        }
    }

    // Loads the local identity or creates one with ids from pd. Returns the region to bootstrap the cluster with
    // when this store may be the first (pd was not bootstrapped when it looked), else null.
    private static async Task<(RegionManager Regions, Region? BootstrapRegion)> JoinClusterAsync(
        StoreEngine engine, PdClient pd, IIdAllocator ids, CancellationToken cancellationToken)
    {
        var existing = RegionManager.Load(engine);
        if (existing is not null)
        {
            if (existing.ClusterId != pd.ClusterId)
            {
                throw new InvalidOperationException(existing.ClusterId == 0
                    ? $"This store was created standalone (store {existing.StoreId}) and cannot join cluster {pd.ClusterId}."
                    : $"This store belongs to cluster {existing.ClusterId}, but pd serves cluster {pd.ClusterId}.");
            }

            // A crash between writing the identity and bootstrapping pd: bootstrap now with the region written then.
            if (!await pd.IsBootstrappedAsync(cancellationToken).ConfigureAwait(false) && existing.GetRegions() is [var only])
            {
                return (existing, only);
            }

            return (existing, null);
        }

        var storeId = await ids.AllocAsync(cancellationToken).ConfigureAwait(false);
        if (await pd.IsBootstrappedAsync(cancellationToken).ConfigureAwait(false))
        {
            return (RegionManager.Create(engine, pd.ClusterId, storeId, null), null);
        }

        var regionId = await ids.AllocAsync(cancellationToken).ConfigureAwait(false);
        var peerId = await ids.AllocAsync(cancellationToken).ConfigureAwait(false);
        var region = new Region
        {
            Id = regionId,
            RegionEpoch = new RegionEpoch { ConfVer = 1, Version = 1 },
            Peers = { new Peer { Id = peerId, StoreId = storeId, Role = PeerRole.Voter } },
        };
        return (RegionManager.Create(engine, pd.ClusterId, storeId, region), region);
    }

    private async Task BootstrapOrJoinAsync(PdClient pd, MetaStore store, Region region, RegionManager regions, CancellationToken cancellationToken)
    {
        try
        {
            await pd.BootstrapAsync(store, region, cancellationToken).ConfigureAwait(false);
            StoreLog.Bootstrapped(_logger, regions.StoreId, _options.DataDir, region.Id);
            return;
        }
        catch (PdException)
        {
            if (!await pd.IsBootstrappedAsync(cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            // Another store bootstrapped the cluster first: join it without the region made for bootstrapping.
        }

        regions.RemoveRegion(region.Id, null);
        await pd.PutStoreAsync(store, cancellationToken).ConfigureAwait(false);
        StoreLog.Opened(_logger, regions.StoreId, _options.DataDir, regions.Count);
    }

    /// <summary>Stops serving (letting running calls finish until <paramref name="cancellationToken"/> fires) and closes the engine.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1 || _regions is null)
        {
            return;
        }

        StoreLog.Stopping(_logger, _regions!.StoreId);
        if (_worker is not null)
        {
            await _worker.DisposeAsync().ConfigureAwait(false);
        }
        else if (_mover is not null)
        {
            await _mover.DisposeAsync().ConfigureAwait(false);
        }

        if (_server is not null)
        {
            await _server.StopAsync(cancellationToken).ConfigureAwait(false);
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        if (_importMode is not null)
        {
            await _importMode.DisposeAsync().ConfigureAwait(false);
        }

        if (_pd is not null)
        {
            await _pd.DisposeAsync().ConfigureAwait(false);
        }

        _channels.Dispose();
        _backup?.Dispose();
        _engine?.Dispose();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await StopAsync(timeout.Token).ConfigureAwait(false);
    }

    // The import folder is wiped here: staged files of an earlier run belong to requests nobody waits for.
    private ImportSstService CreateImportService(StoreEngine engine, RegionManager regions, ImportModeSwitcher mode)
    {
        var dir = new ImportDirectory(Path.Combine(_options.DataDir, "import"));
        var limiter = new DownloadLimiter();
        var downloader = new SstDownloader(dir, limiter, new BackupStorageOpener(ServedHttpHandler(), _loggerFactory.CreateLogger<SstDownloader>()).OpenAsync, _options.ImportConcurrency, _options.ImportDiskReserve);
        var ingester = new SstIngester(engine, regions, dir, mode);
        var isTiFlash = _options.Labels.TryGetValue("engine", out var engineLabel) && engineLabel == "tiflash";
        return new ImportSstService(downloader, ingester, mode, limiter, regions.StoreId, isTiFlash, _loggerFactory.CreateLogger<ImportSstService>());
    }

    // br's local backup server is reached with the store's own certificate when the cluster uses TLS.
    private Func<HttpMessageHandler>? ServedHttpHandler() => _options.Tls is { } tls ? tls.CreateClientHandler : null;

    /// <summary>The store's import mode (after start).</summary>
    internal ImportModeSwitcher ImportMode => _importMode ?? throw NotStarted();

    private MetaStore DescribeStore(ulong storeId)
    {
        var address = _server is not null ? Address : _options.Address;
        var store = new MetaStore
        {
            Id = storeId,
            Address = address,
            State = StoreState.Up,
            Version = "5.1.0",
            StatusAddress = address,
            StartTimestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        foreach (var (key, value) in _options.Labels)
        {
            store.Labels.Add(new StoreLabel { Key = key, Value = value });
        }

        return store;
    }

    private static InvalidOperationException NotStarted() => new("The store node has not been started.");
}
