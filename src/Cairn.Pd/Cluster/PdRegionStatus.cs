using Cairn.Rpc.Metapb;

namespace Cairn.Pd.Cluster;

/// <summary>A region as pd last heard of it: metadata, leader and the approximate size and keys of its last heartbeat.</summary>
public sealed record PdRegionStatus(Region Region, Peer? Leader, ulong ApproximateSize, ulong ApproximateKeys);
