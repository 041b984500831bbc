using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;
using Region = Cairn.Rpc.Metapb.Region;

namespace Cairn.Pd.Client;

/// <summary>A region as pd knows it: metadata (encoded keys, epoch, peers) and the leader peer (null if unknown).</summary>
/// <param name="Region">The region's metadata.</param>
/// <param name="Leader">Its leader, when pd has one.</param>
/// <param name="DownPeers">Peers the leader considers down.</param>
/// <param name="PendingPeers">Peers still catching up.</param>
public sealed record PdRegion(Region Region, Peer? Leader, IReadOnlyList<PeerStats> DownPeers, IReadOnlyList<Peer> PendingPeers);
