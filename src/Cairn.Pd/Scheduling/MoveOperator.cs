using Cairn.Pd.Cluster;
using Cairn.Rpc.Eraftpb;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Scheduling;

/// <summary>
/// Moves one region's peer from a source store to a target store. It is told to the region's leader as a
/// <c>ChangePeerV2</c> {AddNode(new peer on target), RemoveNode(peer on source)} on the region-heartbeat stream, and
/// succeeds once a heartbeat shows a peer on the target and none on the source.
/// </summary>
internal sealed class MoveOperator
{
    public required ulong RegionId { get; init; }

    /// <summary><c>scatter-region</c>, <c>balance-region</c> or <c>replace-offline-replica</c>.</summary>
    public required string Desc { get; init; }

    public required string Kind { get; init; }

    public required ulong SourceStoreId { get; init; }

    public required Peer SourcePeer { get; init; }

    public required Peer TargetPeer { get; init; }

    /// <summary>The epoch when the operator was created; a later version (split or merge) cancels it.</summary>
    public required RegionEpoch BaseEpoch { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public OperatorStatus Status { get; set; } = OperatorStatus.Running;

    public DateTimeOffset? FinishedAt { get; set; }

    public ulong TargetStoreId => TargetPeer.StoreId;

    public RegionHeartbeatResponse ToInstruction(ulong clusterId, RegionInfo region) => new()
    {
        Header = new ResponseHeader { ClusterId = clusterId },
        RegionId = RegionId,
        RegionEpoch = region.Meta.RegionEpoch ?? new RegionEpoch(),
        TargetPeer = region.Leader ?? SourcePeer,
        ChangePeerV2 = new ChangePeerV2
        {
            Changes =
            {
                new ChangePeer { Peer = TargetPeer, ChangeType = ConfChangeType.AddNode },
                new ChangePeer { Peer = SourcePeer, ChangeType = ConfChangeType.RemoveNode },
            },
        },
    };
}
