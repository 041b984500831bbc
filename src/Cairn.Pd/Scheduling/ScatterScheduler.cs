using Cairn.Pd.Cluster;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Scheduling;

/// <summary>
/// Spreads the regions of an administrator's scatter request over the schedulable stores, evening out each scatter
/// group first and the stores' peer counts second. Not thread-safe: <see cref="PdCluster"/>'s lock guards it.
/// </summary>
internal sealed class ScatterScheduler(StoreRegistry stores, RegionRegistry regions, OperatorController operators)
{
    /// <summary>Peers placed per store by each group's scatters so far, so one group's regions spread across calls.</summary>
    private readonly Dictionary<string, Dictionary<ulong, int>> _groupCounts = new(StringComparer.Ordinal);

    /// <summary>Creates move operators for <paramref name="regionIds"/>; adds what to send to <paramref name="dispatch"/> and regions it cannot place to <paramref name="failed"/>.</summary>
    public void Scatter(IReadOnlyList<ulong> regionIds, string group, ulong clusterId, DateTimeOffset now,
        List<ulong> failed, List<(ulong StoreId, RegionHeartbeatResponse Instruction)> dispatch)
    {
        var candidates = stores.Schedulable(now);
        var counts = operators.CountsWithPending(regions);
        if (!_groupCounts.TryGetValue(group, out var groupCounts))
        {
            groupCounts = [];
            _groupCounts[group] = groupCounts;
        }

        foreach (var id in regionIds)
        {
            if (!regions.TryGet(id, out var region) || region.Meta.Peers.Count == 0 || candidates.Count == 0)
            {
                failed.Add(id);
                continue;
            }

            if (operators.IsRunning(id))
            {
                continue;
            }

            var source = region.LeaderStoreId;
            var target = candidates
                .Where(s => s == source || !region.HasPeerOn(s))
                .OrderBy(s => groupCounts.GetValueOrDefault(s))
                .ThenBy(s => counts.GetValueOrDefault(s) - (s == source ? 1 : 0))
                .ThenBy(s => s == source ? 0 : 1)
                .ThenBy(s => s)
                .First();
            groupCounts[target] = groupCounts.GetValueOrDefault(target) + 1;
            if (target == source)
            {
                continue;
            }

            var op = operators.CreateMove(region, source, target, "scatter-region", "admin,region", now);
            counts[target] = counts.GetValueOrDefault(target) + 1;
            counts[source] = counts.GetValueOrDefault(source) - 1;
            dispatch.Add((source, op.ToInstruction(clusterId, region)));
        }
    }
}
