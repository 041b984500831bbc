using Cairn.Common.Mvcc;
using Cairn.Rpc.Coprocessor;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Tikvpb;
using Cairn.Store.Raw;
using Cairn.Store.Regions;
using Cairn.Store.Txn;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using RegionError = Cairn.Rpc.Errorpb.Error;

namespace Cairn.Store.Services;

/// <summary>
/// kvproto's <c>tikvpb.Tikv</c> service: transactional, raw and split RPCs. Every call passes admission control,
/// then the region check of its context, then the key-range check, and only then reaches storage; failures of
/// those checks are answered in the response's <c>region_error</c>, never as gRPC errors. The coprocessor call is
/// part of the same kvproto service and is handed to <see cref="CoprocessorService"/>.
/// </summary>
internal sealed class TikvService : Tikv.TikvBase
{
    private const ulong BusyBackoffMs = 20;
    private readonly RegionManager _regions;
    private readonly TxnStorage _txn;
    private readonly RawStorage _raw;
    private readonly AdmissionControl _admission;
    private readonly IIdAllocator _ids;
    private readonly CoprocessorService _coprocessor;
    private readonly ILogger _logger;

    /// <summary>Creates the service.</summary>
    public TikvService(RegionManager regions, TxnStorage txn, RawStorage raw, AdmissionControl admission, IIdAllocator ids, CoprocessorService coprocessor, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(coprocessor);
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(admission);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(logger);
        _regions = regions;
        _txn = txn;
        _raw = raw;
        _admission = admission;
        _ids = ids;
        _coprocessor = coprocessor;
        _logger = logger;
    }

    /// <inheritdoc/>
    public override Task<GetResponse> KvGet(GetRequest r, ServerCallContext c) => Serve(r.Context, [r.Key], KeyCheck.Encoded, e => new GetResponse { RegionError = e }, _ => _txn.Get(r));
    /// <inheritdoc/>
    public override Task<BatchGetResponse> KvBatchGet(BatchGetRequest r, ServerCallContext c) => Serve(r.Context, r.Keys, KeyCheck.Encoded, e => new BatchGetResponse { RegionError = e }, _ => _txn.BatchGet(r));
    /// <inheritdoc/>
    public override Task<ScanResponse> KvScan(ScanRequest r, ServerCallContext c) => ServeScan(r.Context, r.StartKey, r.Reverse, KeyCheck.Encoded, e => new ScanResponse { RegionError = e }, region => _txn.Scan(r, region));
    /// <inheritdoc/>
    public override Task<ScanLockResponse> KvScanLock(ScanLockRequest r, ServerCallContext c) => ServeScan(r.Context, r.StartKey, false, KeyCheck.Encoded, e => new ScanLockResponse { RegionError = e }, region => _txn.ScanLock(r, region));
    /// <inheritdoc/>
    public override Task<PrewriteResponse> KvPrewrite(PrewriteRequest r, ServerCallContext c) => ServeAsync(r.Context, r.Mutations.Select(m => m.Key), KeyCheck.Encoded, e => new PrewriteResponse { RegionError = e }, _ => _txn.PrewriteAsync(r, c.CancellationToken));
    /// <inheritdoc/>
    public override Task<CommitResponse> KvCommit(CommitRequest r, ServerCallContext c) => ServeAsync(r.Context, r.Keys, KeyCheck.Encoded, e => new CommitResponse { RegionError = e }, _ => _txn.CommitAsync(r, c.CancellationToken));
    /// <inheritdoc/>
    public override Task<BatchRollbackResponse> KvBatchRollback(BatchRollbackRequest r, ServerCallContext c) => ServeAsync(r.Context, r.Keys, KeyCheck.Encoded, e => new BatchRollbackResponse { RegionError = e }, _ => _txn.BatchRollbackAsync(r, c.CancellationToken));
    /// <inheritdoc/>
    public override Task<CleanupResponse> KvCleanup(CleanupRequest r, ServerCallContext c) => ServeAsync(r.Context, [r.Key], KeyCheck.Encoded, e => new CleanupResponse { RegionError = e }, _ => _txn.CleanupAsync(r, c.CancellationToken));
    /// <inheritdoc/>
    public override Task<CheckTxnStatusResponse> KvCheckTxnStatus(CheckTxnStatusRequest r, ServerCallContext c) => ServeAsync(r.Context, [r.PrimaryKey], KeyCheck.Encoded, e => new CheckTxnStatusResponse { RegionError = e }, _ => _txn.CheckTxnStatusAsync(r, c.CancellationToken));
    /// <inheritdoc/>
    public override Task<CheckSecondaryLocksResponse> KvCheckSecondaryLocks(CheckSecondaryLocksRequest r, ServerCallContext c) => ServeAsync(r.Context, r.Keys, KeyCheck.Encoded, e => new CheckSecondaryLocksResponse { RegionError = e }, _ => _txn.CheckSecondaryLocksAsync(r, c.CancellationToken));
    /// <inheritdoc/>
    public override Task<ResolveLockResponse> KvResolveLock(ResolveLockRequest r, ServerCallContext c) => ServeAsync(r.Context, r.Keys, KeyCheck.Encoded, e => new ResolveLockResponse { RegionError = e }, region => _txn.ResolveLockAsync(r, region, c.CancellationToken));
    /// <inheritdoc/>
    public override Task<GCResponse> KvGC(GCRequest r, ServerCallContext c) => Serve(r.Context, [], KeyCheck.Encoded, e => new GCResponse { RegionError = e }, region => _txn.Gc(r, region));
    /// <inheritdoc/>
    public override Task<DeleteRangeResponse> KvDeleteRange(DeleteRangeRequest r, ServerCallContext c) => Serve(r.Context, [], KeyCheck.Encoded, e => new DeleteRangeResponse { RegionError = e }, region => _txn.DeleteRange(r, region));

    /// <inheritdoc/>
    public override Task<RawGetResponse> RawGet(RawGetRequest r, ServerCallContext c) => Serve(r.Context, [r.Key], KeyCheck.Raw, e => new RawGetResponse { RegionError = e }, _ => _raw.Get(r));
    /// <inheritdoc/>
    public override Task<RawBatchGetResponse> RawBatchGet(RawBatchGetRequest r, ServerCallContext c) => Serve(r.Context, r.Keys, KeyCheck.Raw, e => new RawBatchGetResponse { RegionError = e }, _ => _raw.BatchGet(r));
    /// <inheritdoc/>
    public override Task<RawPutResponse> RawPut(RawPutRequest r, ServerCallContext c) => Serve(r.Context, [r.Key], KeyCheck.Raw, e => new RawPutResponse { RegionError = e }, _ => _raw.Put(r));
    /// <inheritdoc/>
    public override Task<RawBatchPutResponse> RawBatchPut(RawBatchPutRequest r, ServerCallContext c) => Serve(r.Context, r.Pairs.Select(p => p.Key), KeyCheck.Raw, e => new RawBatchPutResponse { RegionError = e }, _ => _raw.BatchPut(r));
    /// <inheritdoc/>
    public override Task<RawDeleteResponse> RawDelete(RawDeleteRequest r, ServerCallContext c) => Serve(r.Context, [r.Key], KeyCheck.Raw, e => new RawDeleteResponse { RegionError = e }, _ => _raw.Delete(r));
    /// <inheritdoc/>
    public override Task<RawBatchDeleteResponse> RawBatchDelete(RawBatchDeleteRequest r, ServerCallContext c) => Serve(r.Context, r.Keys, KeyCheck.Raw, e => new RawBatchDeleteResponse { RegionError = e }, _ => _raw.BatchDelete(r));
    /// <inheritdoc/>
    public override Task<RawScanResponse> RawScan(RawScanRequest r, ServerCallContext c) => ServeScan(r.Context, r.StartKey, r.Reverse, KeyCheck.Raw, e => new RawScanResponse { RegionError = e }, region => _raw.Scan(r, region));
    /// <inheritdoc/>
    public override Task<RawDeleteRangeResponse> RawDeleteRange(RawDeleteRangeRequest r, ServerCallContext c) => Serve(r.Context, [], KeyCheck.Raw, e => new RawDeleteRangeResponse { RegionError = e }, region => _raw.DeleteRange(r, region));

    /// <inheritdoc/>
    public override Task<SplitRegionResponse> SplitRegion(SplitRegionRequest r, ServerCallContext c) => SplitAsync(r, c.CancellationToken);

    /// <inheritdoc/>
    public override Task<Response> Coprocessor(Request r, ServerCallContext c) => Task.FromResult(_coprocessor.Handle(r));

    private async Task<SplitRegionResponse> SplitAsync(SplitRegionRequest request, CancellationToken cancellationToken)
    {
        if (!_admission.TryEnter())
        {
            return new SplitRegionResponse { RegionError = Busy() };
        }

        try
        {
#pragma warning disable CS0612 // Old clients send the deprecated single split_key and read left/right.
            var rawKeys = request.SplitKeys.Count > 0 ? request.SplitKeys : (IEnumerable<ByteString>)[request.SplitKey];
#pragma warning restore CS0612
            var outcome = RegionManager.PrepareSplitKeys(rawKeys, request.IsRawKv, out var keys) is { } invalid
                ? SplitOutcome.Invalid(invalid)
                : await _regions.SplitAsync(request.Context, keys, null, _ids, cancellationToken).ConfigureAwait(false);
            var response = new SplitRegionResponse();
            if (outcome.RegionError is { } regionError)
            {
                response.RegionError = regionError;
            }
            else if (outcome.Error is { } error)
            {
                // kvproto's SplitRegionResponse has no other error field; TiKV reports invalid splits this way too.
                StoreLog.SplitRejected(_logger, request.Context?.RegionId ?? 0, error);
                response.RegionError = new RegionError { Message = error };
            }
            else
            {
                StoreLog.Split(_logger, request.Context.RegionId, string.Join(", ", outcome.Regions.Select(r => r.Id)));
                response.Regions.AddRange(outcome.Regions.Select(r => r.Clone()));
                if (outcome.Regions.Count == 2)
                {
#pragma warning disable CS0612 // Filled for old clients that split at a single key.
                    response.Left = outcome.Regions[0].Clone();
                    response.Right = outcome.Regions[1].Clone();
#pragma warning restore CS0612
                }
            }

            return response;
        }
        finally
        {
            _admission.Exit();
        }
    }

    private Task<TResponse> Serve<TResponse>(Context? context, IEnumerable<ByteString> keys, KeyCheck mode,
        Func<RegionError, TResponse> onError, Func<Region, TResponse> body)
        => ServeAsync(context, keys, mode, onError, region => Task.FromResult(body(region)));

    private async Task<TResponse> ServeAsync<TResponse>(Context? context, IEnumerable<ByteString> keys, KeyCheck mode,
        Func<RegionError, TResponse> onError, Func<Region, Task<TResponse>> body)
    {
        if (!_admission.TryEnter())
        {
            return onError(Busy());
        }

        Region? entered = null;
        try
        {
            if (_regions.Enter(context, out var region) is { } error)
            {
                return onError(error);
            }

            entered = region;

            foreach (var key in keys)
            {
                var inRegion = mode == KeyCheck.Raw ? key.ToByteArray() : MvccKey.EncodeKey(key.Span);
                if (!RegionManager.Contains(region, inRegion))
                {
                    return onError(RegionErrors.KeyNotInRegion(inRegion, region));
                }
            }

            return await body(region).ConfigureAwait(false);
        }
        finally
        {
            if (entered is not null)
            {
                _regions.Exit(entered.Id);
            }

            _admission.Exit();
        }
    }

    // A scan must start inside the region: forward scans at start_key ∈ [start, end); reverse scans, whose
    // start_key is the exclusive upper bound, at start_key ∈ (start, end]. An empty start_key means "from the edge".
    private Task<TResponse> ServeScan<TResponse>(Context? context, ByteString startKey, bool reverse, KeyCheck mode,
        Func<RegionError, TResponse> onError, Func<Region, TResponse> body)
    {
        if (!_admission.TryEnter())
        {
            return Task.FromResult(onError(Busy()));
        }

        Region? entered = null;
        try
        {
            if (_regions.Enter(context, out var region) is { } error)
            {
                return Task.FromResult(onError(error));
            }

            entered = region;

            if (!startKey.IsEmpty)
            {
                var key = mode == KeyCheck.Raw ? startKey.ToByteArray() : MvccKey.EncodeKey(startKey.Span);
                var inside = reverse
                    ? key.AsSpan().SequenceCompareTo(region.StartKey.Span) > 0 && (region.EndKey.IsEmpty || key.AsSpan().SequenceCompareTo(region.EndKey.Span) <= 0)
                    : RegionManager.Contains(region, key);
                if (!inside)
                {
                    return Task.FromResult(onError(RegionErrors.KeyNotInRegion(key, region)));
                }
            }

            return Task.FromResult(body(region));
        }
        finally
        {
            if (entered is not null)
            {
                _regions.Exit(entered.Id);
            }

            _admission.Exit();
        }
    }

    private RegionError Busy() =>
        RegionErrors.ServerIsBusy($"too many requests in flight (limit {_admission.Limit})", BusyBackoffMs);
}
