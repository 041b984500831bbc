using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Store.Engine;

namespace Cairn.Store.Txn;

/// <summary>
/// Percolator transactions on the store's engine, as TiKV implements them: the one entry point the services call,
/// handing each command to the part that owns it (<see cref="SnapshotReads"/>, <see cref="PercolatorCommands"/>,
/// <see cref="LockResolver"/>, <see cref="MvccGc"/>). Reads run at a RocksDB snapshot; write commands go through
/// the <see cref="TxnScheduler"/>. Region and key-range checks happen before these methods are called; scans are
/// clipped to the region passed in.
/// </summary>
internal sealed class TxnStorage
{
    private readonly StoreEngine _engine;
    private readonly SnapshotReads _reads;
    private readonly PercolatorCommands _percolator;
    private readonly LockResolver _resolver;
    private readonly MvccGc _gc;

    /// <summary>Creates the transactional layer over <paramref name="engine"/>.</summary>
    public TxnStorage(StoreEngine engine, Latches latches)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(latches);
        _engine = engine;
        var scheduler = new TxnScheduler(engine, latches);
        _reads = new SnapshotReads(engine);
        _percolator = new PercolatorCommands(scheduler);
        _resolver = new LockResolver(scheduler);
        _gc = new MvccGc(engine);
    }

    /// <summary>KvGet: see <see cref="SnapshotReads.Get"/>.</summary>
    public GetResponse Get(GetRequest request) => _reads.Get(NotNull(request));

    /// <summary>KvBatchGet: see <see cref="SnapshotReads.BatchGet"/>.</summary>
    public BatchGetResponse BatchGet(BatchGetRequest request) => _reads.BatchGet(NotNull(request));

    /// <summary>KvScan: see <see cref="SnapshotReads.Scan"/>.</summary>
    public ScanResponse Scan(ScanRequest request, Region region) => _reads.Scan(NotNull(request), NotNull(region));

    /// <summary>KvScanLock: see <see cref="LockResolver.ScanLock"/>.</summary>
    public ScanLockResponse ScanLock(ScanLockRequest request, Region region) => _resolver.ScanLock(NotNull(request), NotNull(region));

    /// <summary>KvPrewrite: see <see cref="PercolatorCommands.PrewriteAsync"/>.</summary>
    public Task<PrewriteResponse> PrewriteAsync(PrewriteRequest request, CancellationToken cancellationToken) =>
        _percolator.PrewriteAsync(NotNull(request), cancellationToken);

    /// <summary>KvCommit: see <see cref="PercolatorCommands.CommitAsync"/>.</summary>
    public Task<CommitResponse> CommitAsync(CommitRequest request, CancellationToken cancellationToken) =>
        _percolator.CommitAsync(NotNull(request), cancellationToken);

    /// <summary>KvBatchRollback: see <see cref="PercolatorCommands.BatchRollbackAsync"/>.</summary>
    public Task<BatchRollbackResponse> BatchRollbackAsync(BatchRollbackRequest request, CancellationToken cancellationToken) =>
        _percolator.BatchRollbackAsync(NotNull(request), cancellationToken);

    /// <summary>KvCleanup: see <see cref="PercolatorCommands.CleanupAsync"/>.</summary>
    public Task<CleanupResponse> CleanupAsync(CleanupRequest request, CancellationToken cancellationToken) =>
        _percolator.CleanupAsync(NotNull(request), cancellationToken);

    /// <summary>KvCheckTxnStatus: see <see cref="PercolatorCommands.CheckTxnStatusAsync"/>.</summary>
    public Task<CheckTxnStatusResponse> CheckTxnStatusAsync(CheckTxnStatusRequest request, CancellationToken cancellationToken) =>
        _percolator.CheckTxnStatusAsync(NotNull(request), cancellationToken);

    /// <summary>KvCheckSecondaryLocks: see <see cref="PercolatorCommands.CheckSecondaryLocksAsync"/>.</summary>
    public Task<CheckSecondaryLocksResponse> CheckSecondaryLocksAsync(CheckSecondaryLocksRequest request, CancellationToken cancellationToken) =>
        _percolator.CheckSecondaryLocksAsync(NotNull(request), cancellationToken);

    /// <summary>KvResolveLock: see <see cref="LockResolver.ResolveLockAsync"/>.</summary>
    public Task<ResolveLockResponse> ResolveLockAsync(ResolveLockRequest request, Region region, CancellationToken cancellationToken) =>
        _resolver.ResolveLockAsync(NotNull(request), NotNull(region), cancellationToken);

    /// <summary>KvGC: see <see cref="MvccGc.Gc"/>.</summary>
    public GCResponse Gc(GCRequest request, Region region) => _gc.Gc(NotNull(request), NotNull(region));

    /// <summary>KvDeleteRange: see <see cref="MvccGc.DeleteRange"/>.</summary>
    public DeleteRangeResponse DeleteRange(DeleteRangeRequest request, Region region) => _gc.DeleteRange(NotNull(request), NotNull(region));

    /// <summary>A scanner over the engine at a new snapshot, for the coprocessor and backup; the caller disposes it.</summary>
    public MvccScanner OpenScanner(MvccScanOptions options) => new(_engine, options);

    private static T NotNull<T>(T value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(value, name);
        return value;
    }
}
