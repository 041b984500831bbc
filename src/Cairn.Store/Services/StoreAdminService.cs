using Cairn.Rpc.Storepb;
using Cairn.Store.Pd;
using Cairn.Store.Regions;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using MetaStore = Cairn.Rpc.Metapb.Store;

namespace Cairn.Store.Services;

/// <summary>
/// Cairn's own <c>cairn.storepb.StoreAdmin</c> service: splits with caller-supplied IDs (until pd hands them out),
/// a view of the store and its regions, and the receiving side of region moves (handed to <see cref="RegionMover"/>).
/// </summary>
internal sealed class StoreAdminService : StoreAdmin.StoreAdminBase
{
    private readonly RegionManager _regions;
    private readonly IIdAllocator _ids;
    private readonly Func<MetaStore> _store;
    private readonly RegionMover _mover;
    private readonly ILogger _logger;

    /// <summary>Creates the service for the store <paramref name="store"/> describes (asked on each call, so the bound address is reported).</summary>
    public StoreAdminService(RegionManager regions, IIdAllocator ids, Func<MetaStore> store, RegionMover mover, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(mover);
        _mover = mover;
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(logger);
        _regions = regions;
        _ids = ids;
        _store = store;
        _logger = logger;
    }

    /// <inheritdoc/>
    public override Task<AdminSplitRegionResponse> SplitRegion(AdminSplitRegionRequest request, ServerCallContext context)
        => SplitAsync(request, context.CancellationToken);

    /// <inheritdoc/>
    public override Task<GetStoreInfoResponse> GetStoreInfo(GetStoreInfoRequest request, ServerCallContext context)
    {
        var response = new GetStoreInfoResponse { Store = _store() };
        response.Regions.AddRange(_regions.GetRegions().Select(x => x.Clone()));
        return Task.FromResult(response);
    }

    /// <inheritdoc/>
    public override Task<ReceiveRegionResponse> ReceiveRegion(IAsyncStreamReader<RegionSnapshotChunk> requestStream, ServerCallContext context)
        => _mover.ReceiveAsync(requestStream, context.CancellationToken);

    private async Task<AdminSplitRegionResponse> SplitAsync(AdminSplitRegionRequest request, CancellationToken cancellationToken)
    {
        var outcome = RegionManager.PrepareSplitKeys(request.SplitKeys, request.IsRawKv, out var keys) is { } invalid
            ? SplitOutcome.Invalid(invalid)
            : await _regions.SplitAsync(request.Context, keys, request.Ids, _ids, cancellationToken).ConfigureAwait(false);
        var response = new AdminSplitRegionResponse();
        if (outcome.RegionError is { } regionError)
        {
            response.RegionError = regionError;
        }
        else if (outcome.Error is { } error)
        {
            StoreLog.SplitRejected(_logger, request.Context?.RegionId ?? 0, error);
            response.Error = error;
        }
        else
        {
            if (_ids is LocalIdAllocator local)
            {
                // Caller-chosen IDs must never come out of the local allocator later.
                local.Observe(request.Ids.SelectMany(i => i.NewPeerIds.Append(i.NewRegionId)).Max());
            }

            StoreLog.Split(_logger, request.Context.RegionId, string.Join(", ", outcome.Regions.Select(r => r.Id)));
            response.Regions.AddRange(outcome.Regions.Select(r => r.Clone()));
        }

        return response;
    }
}
