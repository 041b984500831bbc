using Cairn.Pd.Client;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Storepb;
using Cairn.Store.Regions;

namespace Cairn.Store.Pd;

/// <summary>IDs from pd: AllocID for single IDs, AskBatchSplit for all IDs of a split at once.</summary>
internal sealed class PdIdAllocator : IIdAllocator, ISplitIdSource
{
    private readonly PdClient _pd;

    /// <summary>Creates an allocator over a connected client.</summary>
    public PdIdAllocator(PdClient pd)
    {
        ArgumentNullException.ThrowIfNull(pd);
        _pd = pd;
    }

    /// <inheritdoc/>
    public async ValueTask<ulong> AllocAsync(CancellationToken cancellationToken = default) =>
        await _pd.AllocIdAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<SplitId>> AskSplitIdsAsync(Region region, int count, CancellationToken cancellationToken)
    {
        var answer = await _pd.AskBatchSplitAsync(region, (uint)count, cancellationToken).ConfigureAwait(false);
        return [.. answer.Select(id => new SplitId { NewRegionId = id.NewRegionId, NewPeerIds = { id.NewPeerIds } })];
    }
}
