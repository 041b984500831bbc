using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Cluster;

/// <summary>A store as the HTTP API shows it.</summary>
internal sealed record StoreView(
    Store Store, StoreStateName StateName, StoreStats? Stats, int RegionCount, int LeaderCount, ulong RegionSize, DateTimeOffset? LastHeartbeat);
