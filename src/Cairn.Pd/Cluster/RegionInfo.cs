using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Cluster;

/// <summary>What pd knows of one region: its metadata from the last accepted heartbeat plus the reported stats.</summary>
internal sealed class RegionInfo
{
    public RegionInfo(Rpc.Metapb.Region meta, Peer? leader)
    {
        Meta = meta;
        Leader = leader;
        StartKey = meta.StartKey.ToByteArray();
        EndKey = meta.EndKey.ToByteArray();
    }

    public Rpc.Metapb.Region Meta { get; }

    public Peer? Leader { get; set; }

    public ulong Id => Meta.Id;

    public byte[] StartKey { get; }

    public byte[] EndKey { get; }

    public List<PeerStats> DownPeers { get; } = [];

    public List<Peer> PendingPeers { get; } = [];

    public ulong BytesWritten { get; set; }

    public ulong BytesRead { get; set; }

    public ulong KeysWritten { get; set; }

    public ulong KeysRead { get; set; }

    public ulong ApproximateSize { get; set; }

    public ulong ApproximateKeys { get; set; }

    public ulong Term { get; set; }

    /// <summary>When the last heartbeat for this region arrived; null when only loaded or reported by a split.</summary>
    public DateTimeOffset? LastHeartbeat { get; set; }

    public ulong Version => Meta.RegionEpoch?.Version ?? 0;

    public ulong ConfVer => Meta.RegionEpoch?.ConfVer ?? 0;

    public bool HasPeerOn(ulong storeId)
    {
        foreach (var peer in Meta.Peers)
        {
            if (peer.StoreId == storeId)
            {
                return true;
            }
        }

        return false;
    }

    public Peer? PeerOn(ulong storeId)
    {
        foreach (var peer in Meta.Peers)
        {
            if (peer.StoreId == storeId)
            {
                return peer;
            }
        }

        return null;
    }

    /// <summary>The store of the leader, or of the first peer when no leader was reported.</summary>
    public ulong LeaderStoreId => Leader?.StoreId ?? (Meta.Peers.Count > 0 ? Meta.Peers[0].StoreId : 0);

    public Rpc.Pdpb.Region ToPdRegion()
    {
        var region = new Rpc.Pdpb.Region { Region_ = Meta, Leader = Leader };
        region.DownPeers.AddRange(DownPeers);
        region.PendingPeers.AddRange(PendingPeers);
        return region;
    }

    /// <summary>The persisted form: metadata and leader only (stats are refreshed by the next heartbeat).</summary>
    public Rpc.Pdpb.Region ToPersisted() => new() { Region_ = Meta, Leader = Leader };
}
