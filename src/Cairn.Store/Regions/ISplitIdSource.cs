using Cairn.Rpc.Metapb;
using Cairn.Rpc.Storepb;

namespace Cairn.Store.Regions;

/// <summary>An <see cref="IIdAllocator"/> that hands out all IDs of a split at once (pd's AskBatchSplit).</summary>
internal interface ISplitIdSource
{
    /// <summary>IDs for splitting <paramref name="region"/> into <paramref name="count"/> + 1 regions: one new region ID
    /// and one new peer ID per peer of the region, for each split key.</summary>
    Task<IReadOnlyList<SplitId>> AskSplitIdsAsync(Region region, int count, CancellationToken cancellationToken);
}
