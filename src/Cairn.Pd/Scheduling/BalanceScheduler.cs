using Cairn.Pd.Cluster;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;
using Microsoft.Extensions.Logging;

namespace Cairn.Pd.Scheduling;

/// <summary>
/// pd's background placement: moves regions off Offline stores (an Offline store left without regions becomes
/// Tombstone) and, when balancing is on, one balance-region move from the fullest to the emptiest store per round.
/// Not thread-safe: <see cref="PdCluster"/>'s lock guards it.
/// </summary>
internal sealed class BalanceScheduler(StoreRegistry stores, RegionRegistry regions, OperatorController operators, PdServerOptions options, ILogger logger)
{
    /// <summary>One round; adds the instructions to send to <paramref name="dispatch"/>.</summary>
    public void Schedule(bool balance, ulong clusterId, DateTimeOffset now, List<(ulong StoreId, RegionHeartbeatResponse Instruction)> dispatch)
    {
        var candidates = stores.Schedulable(now);
        var counts = operators.CountsWithPending(regions);
        var schedulerOps = operators.SchedulerOperatorCount;

        foreach (var store in stores.All)
        {
            if (store.Meta.State != StoreState.Offline)
            {
                continue;
            }

            var hasRegions = false;
            foreach (var region in regions.All)
            {
                if (!region.HasPeerOn(store.Id))
                {
                    continue;
                }

                hasRegions = true;
                if (schedulerOps >= options.MaxSchedulerOperators || operators.IsRunning(region.Id))
                {
                    continue;
                }

                var target = candidates.Where(s => !region.HasPeerOn(s)).OrderBy(s => counts.GetValueOrDefault(s)).ThenBy(s => s).FirstOrDefault();
                if (target == 0)
                {
                    continue;
                }

                var op = operators.CreateMove(region, store.Id, target, "replace-offline-replica", "region", now);
                counts[target] = counts.GetValueOrDefault(target) + 1;
                schedulerOps++;
                dispatch.Add((region.LeaderStoreId, op.ToInstruction(clusterId, region)));
            }

            if (!hasRegions)
            {
                stores.SetState(store, StoreState.Tombstone);
                PdLog.StoreTombstone(logger, store.Id);
            }
        }

        if (balance && candidates.Count >= 2 && schedulerOps < options.MaxSchedulerOperators)
        {
            var source = candidates.OrderByDescending(s => counts.GetValueOrDefault(s)).ThenBy(s => s).First();
            var target = candidates.OrderBy(s => counts.GetValueOrDefault(s)).ThenBy(s => s).First();
            if (counts.GetValueOrDefault(source) - counts.GetValueOrDefault(target) > 1)
            {
                var movable = regions.All
                    .Where(r => r.LeaderStoreId == source && r.LastHeartbeat is not null && !operators.IsRunning(r.Id) && !r.HasPeerOn(target))
                    .ToList();
                if (movable.Count > 0)
                {
                    var region = movable[Random.Shared.Next(movable.Count)];
                    var op = operators.CreateMove(region, source, target, "balance-region", "region", now);
                    dispatch.Add((source, op.ToInstruction(clusterId, region)));
                }
            }
        }
    }
}
