using Cairn.Rpc;
using MetaStore = Cairn.Rpc.Metapb.Store;
using Cairn.Rpc.Storepb;
using Cairn.Store.Regions;
using Microsoft.Extensions.Logging;

namespace Cairn.Store.Services;

/// <summary>
/// Cairn's own <c>cairn.storepb.StoreAdmin</c> service: splits with caller-supplied IDs (until pd hands them out)
/// and a view of the store and its regions.
/// </summary>
internal sealed class StoreAdminService
{
    private readonly RegionManager _regions;
    private readonly IIdAllocator _ids;
    private readonly Func<MetaStore> _store;
    private readonly ILogger _logger;

    /// <summary>Creates the service for the store <paramref name="store"/> describes (asked on each call, so the bound address is reported).</summary>
    public StoreAdminService(RegionManager regions, IIdAllocator ids, Func<MetaStore> store, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(logger);
        _regions = regions;
        _ids = ids;
        _store = store;
        _logger = logger;
    }

    /// <summary>Registers every method on <paramref name="server"/>.</summary>
    public void Register(RpcServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        server.MapUnary(StoreAdminMethods.SplitRegion, (r, c) => SplitAsync(r, c.CancellationToken));
        server.MapUnary(StoreAdminMethods.GetStoreInfo, (r, c) =>
        {
            var response = new GetStoreInfoResponse { Store = _store() };
            response.Regions.AddRange(_regions.GetRegions().Select(x => x.Clone()));
            return Task.FromResult(response);
        });
    }

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
