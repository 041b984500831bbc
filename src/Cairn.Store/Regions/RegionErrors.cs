using Cairn.Rpc.Metapb;
using Google.Protobuf;
using RegionError = Cairn.Rpc.Errorpb.Error;

namespace Cairn.Store.Regions;

/// <summary>Builds kvproto region errors (<c>errorpb.Error</c>) with the messages TiKV uses.</summary>
internal static class RegionErrors
{
    /// <summary>The region is not on this store.</summary>
    public static RegionError RegionNotFound(ulong regionId) => new()
    {
        Message = $"region {regionId} is missing",
        RegionNotFound = new Rpc.Errorpb.RegionNotFound { RegionId = regionId },
    };

    /// <summary>The request's epoch is stale; <paramref name="current"/> are the regions the client should use now.</summary>
    public static RegionError EpochNotMatch(string message, IEnumerable<Region> current)
    {
        var payload = new Rpc.Errorpb.EpochNotMatch();
        foreach (var region in current)
        {
            payload.CurrentRegions.Add(region.Clone());
        }

        return new RegionError { Message = message, EpochNotMatch = payload };
    }

    /// <summary>The key lies outside the region.</summary>
    public static RegionError KeyNotInRegion(ReadOnlySpan<byte> key, Region region) => new()
    {
        Message = $"key {Convert.ToHexString(key)} is not in region {region.Id}",
        KeyNotInRegion = new Rpc.Errorpb.KeyNotInRegion
        {
            Key = ByteString.CopyFrom(key),
            RegionId = region.Id,
            StartKey = region.StartKey,
            EndKey = region.EndKey,
        },
    };

    /// <summary>This store does not lead the region; <paramref name="leader"/> is the leader when known.</summary>
    public static RegionError NotLeader(ulong regionId, Peer? leader) => new()
    {
        Message = $"peer is not leader for region {regionId}",
        NotLeader = new Rpc.Errorpb.NotLeader { RegionId = regionId, Leader = leader?.Clone() },
    };

    /// <summary>The request was meant for another store.</summary>
    public static RegionError StoreNotMatch(ulong requestStoreId, ulong actualStoreId) => new()
    {
        Message = $"store not match: request store {requestStoreId}, actual store {actualStoreId}",
        StoreNotMatch = new Rpc.Errorpb.StoreNotMatch { RequestStoreId = requestStoreId, ActualStoreId = actualStoreId },
    };

    /// <summary>The store is over its admission limit.</summary>
    public static RegionError ServerIsBusy(string reason, ulong backoffMs) => new()
    {
        Message = "server is busy",
        ServerIsBusy = new Rpc.Errorpb.ServerIsBusy { Reason = reason, BackoffMs = backoffMs },
    };
}
