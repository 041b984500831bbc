using Cairn.Pd.Cluster;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;
using Microsoft.Extensions.Logging;

namespace Cairn.Pd.Scheduling;

/// <summary>
/// Running and recently finished move operators: creation, the step to repeat on each heartbeat, success, cancel
/// and timeout. Not thread-safe: <see cref="PdCluster"/>'s lock guards it together with the stores and regions.
/// </summary>
internal sealed class OperatorController(IdAllocator ids, PdServerOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>Finished operators stay visible to GetOperator this long.</summary>
    private static readonly TimeSpan FinishedOperatorRetention = TimeSpan.FromHours(1);

    private readonly Dictionary<ulong, MoveOperator> _running = [];
    private readonly Dictionary<ulong, MoveOperator> _finished = [];

    /// <summary>Running operators created by the background schedulers (scatter is an administrator's request).</summary>
    public int SchedulerOperatorCount => _running.Values.Count(o => o.Desc != "scatter-region");

    public bool IsRunning(ulong regionId) => _running.ContainsKey(regionId);

    /// <summary>The running operator of a region, else the last finished one, else null.</summary>
    public MoveOperator? Get(ulong regionId) =>
        _running.TryGetValue(regionId, out var op) ? op : _finished.GetValueOrDefault(regionId);

    public MoveOperator CreateMove(RegionInfo region, ulong source, ulong target, string desc, string kind, DateTimeOffset now)
    {
        var sourcePeer = region.PeerOn(source) ?? throw new InvalidOperationException($"region {region.Id} has no peer on store {source}");
        var op = new MoveOperator
        {
            RegionId = region.Id,
            Desc = desc,
            Kind = kind,
            SourceStoreId = source,
            SourcePeer = sourcePeer,
            TargetPeer = new Peer { Id = ids.Allocate(), StoreId = target, Role = sourcePeer.Role },
            BaseEpoch = region.Meta.RegionEpoch ?? new RegionEpoch(),
            CreatedAt = now,
        };
        _running[region.Id] = op;
        _finished.Remove(region.Id);
        PdLog.OperatorCreated(logger, desc, region.Id, source, target);
        return op;
    }

    /// <summary>Cancels the running operator of a region that no longer exists as it was (merged or split away).</summary>
    public void Cancel(ulong regionId)
    {
        if (_running.TryGetValue(regionId, out var op))
        {
            Finish(op, OperatorStatus.Cancel, time.GetUtcNow());
        }
    }

    /// <summary>Checks a region's running operator against its latest heartbeat; returns the step to send, or null.</summary>
    public RegionHeartbeatResponse? Check(RegionInfo region, ulong clusterId)
    {
        if (!_running.TryGetValue(region.Id, out var op))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (region.HasPeerOn(op.TargetStoreId) && !region.HasPeerOn(op.SourceStoreId))
        {
            Finish(op, OperatorStatus.Success, now);
            return null;
        }

        if (region.Version != op.BaseEpoch.Version)
        {
            Finish(op, OperatorStatus.Cancel, now);
            return null;
        }

        if (now - op.CreatedAt >= options.OperatorTimeout)
        {
            Finish(op, OperatorStatus.Timeout, now);
            return null;
        }

        // Repeated on every heartbeat until the store reports the new peers; a store must treat a repeat of an
        // instruction it is already carrying out as a no-op.
        return op.ToInstruction(clusterId, region);
    }

    /// <summary>Times out running operators and forgets finished ones past their retention.</summary>
    public void Expire(DateTimeOffset now)
    {
        foreach (var op in _running.Values.ToList())
        {
            if (now - op.CreatedAt >= options.OperatorTimeout)
            {
                Finish(op, OperatorStatus.Timeout, now);
            }
        }

        foreach (var (id, op) in _finished.ToList())
        {
            if (now - op.FinishedAt > FinishedOperatorRetention)
            {
                _finished.Remove(id);
            }
        }
    }

    /// <summary>Peers per store, counting running moves as already done.</summary>
    public Dictionary<ulong, int> CountsWithPending(RegionRegistry regions)
    {
        var counts = regions.PeerCounts();
        foreach (var op in _running.Values)
        {
            counts[op.TargetStoreId] = counts.GetValueOrDefault(op.TargetStoreId) + 1;
            counts[op.SourceStoreId] = counts.GetValueOrDefault(op.SourceStoreId) - 1;
        }

        return counts;
    }

    private void Finish(MoveOperator op, OperatorStatus status, DateTimeOffset now)
    {
        op.Status = status;
        op.FinishedAt = now;
        _running.Remove(op.RegionId);
        _finished[op.RegionId] = op;
        PdLog.OperatorFinished(logger, op.Desc, op.RegionId, status);
    }
}
