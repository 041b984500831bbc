using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Cluster;

/// <summary>A store as pd sees it: metadata, derived state name (Up, Disconnected, ...), last reported stats, and how many regions it holds and leads.</summary>
public sealed record PdStoreStatus(Rpc.Metapb.Store Store, string StateName, StoreStats? Stats, int RegionCount, int LeaderCount);
