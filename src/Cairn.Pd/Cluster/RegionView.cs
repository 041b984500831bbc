using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Cluster;

/// <summary>A region as the HTTP API shows it.</summary>
internal sealed record RegionView(
    Rpc.Metapb.Region Meta, Peer? Leader, IReadOnlyList<PeerStats> DownPeers, IReadOnlyList<Peer> PendingPeers,
    ulong BytesWritten, ulong BytesRead, ulong KeysWritten, ulong KeysRead, ulong ApproximateSize, ulong ApproximateKeys);
