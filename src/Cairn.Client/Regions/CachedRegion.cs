using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;

namespace Cairn.Client.Regions;

/// <summary>
/// A region as the cache knows it: metadata (boundaries in region key form, epoch, peers) and the leader to send to.
/// Immutable: a leader switch or a reload yields a new instance.
/// </summary>
/// <param name="Region">The region's metadata.</param>
/// <param name="Leader">The peer requests go to.</param>
/// <param name="StoreAddress">The leader store's address.</param>
public sealed record CachedRegion(Region Region, Peer Leader, string StoreAddress)
{
    /// <summary>Region id.</summary>
    public ulong Id => Region.Id;

    /// <summary>Whether <paramref name="regionKey"/> (encoded for txn data, raw for raw data) lies in <c>[start, end)</c>.</summary>
    public bool Contains(ReadOnlySpan<byte> regionKey) =>
        regionKey.SequenceCompareTo(Region.StartKey.Span) >= 0 && (Region.EndKey.IsEmpty || regionKey.SequenceCompareTo(Region.EndKey.Span) < 0);

    /// <summary>A request context for this region: id, epoch and leader peer.</summary>
    public Context ToContext() => new()
    {
        RegionId = Region.Id,
        RegionEpoch = Region.RegionEpoch.Clone(),
        Peer = Leader.Clone(),
    };

    /// <summary>"region 7 at 127.0.0.1:20160" for error messages.</summary>
    public override string ToString() => $"region {Region.Id} (epoch {Region.RegionEpoch?.Version}) at store {Leader.StoreId} {StoreAddress}";
}
