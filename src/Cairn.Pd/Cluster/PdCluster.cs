using Cairn.Pd.Scheduling;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;
using Microsoft.Extensions.Logging;

namespace Cairn.Pd.Cluster;

/// <summary>
/// The cluster pd manages: bootstrap state, stores, the region map and move operators. One lock guards it all;
/// metadata messages kept here are treated as immutable (replaced, never mutated) so callers may serialize them
/// after the lock is released.
/// </summary>
internal sealed class PdCluster
{
    /// <summary>Finished operators stay visible to GetOperator this long.</summary>
    private static readonly TimeSpan FinishedOperatorRetention = TimeSpan.FromHours(1);

    private readonly PdStorage _storage;
    private readonly IdAllocator _ids;
    private readonly PdServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, StoreInfo> _stores = [];
    private readonly Dictionary<ulong, RegionInfo> _regions = [];
    private readonly RegionTree _tree = new();
    private readonly Dictionary<ulong, MoveOperator> _running = [];
    private readonly Dictionary<ulong, MoveOperator> _finished = [];
    private readonly Dictionary<string, Dictionary<ulong, int>> _scatterCounts = new(StringComparer.Ordinal);
    private bool _bootstrapped;

    public PdCluster(PdStorage storage, IdAllocator ids, PdServerOptions options, TimeProvider time, ILogger logger)
    {
        _storage = storage;
        _ids = ids;
        _options = options;
        _time = time;
        _logger = logger;
        var now = time.GetUtcNow();
        _bootstrapped = storage.LoadBootstrapped();
        foreach (var store in storage.LoadStores())
        {
            _stores[store.Id] = new StoreInfo(store, now);
        }

        foreach (var region in storage.LoadRegions())
        {
            var info = new RegionInfo(region.Region_, region.Leader);
            _regions[info.Id] = info;
            _tree.Insert(info);
        }
    }

    public bool IsBootstrapped
    {
        get
        {
            lock (_lock)
            {
                return _bootstrapped;
            }
        }
    }

    public void Bootstrap(Store store, Rpc.Metapb.Region region)
    {
        if (store is null || store.Id == 0)
        {
            throw new PdErrorException(ErrorType.InvalidValue, "bootstrap needs a store with a non-zero id");
        }

        if (region is null || region.Id == 0 || region.Peers.Count == 0)
        {
            throw new PdErrorException(ErrorType.InvalidValue, "bootstrap needs a region with a non-zero id and at least one peer");
        }

        if (region.StartKey.Length != 0 || region.EndKey.Length != 0)
        {
            throw new PdErrorException(ErrorType.InvalidValue, "the first region must cover the whole key space (empty start and end keys)");
        }

        foreach (var peer in region.Peers)
        {
            if (peer.Id == 0 || peer.StoreId != store.Id)
            {
                throw new PdErrorException(ErrorType.InvalidValue, $"the first region's peers must have ids and live on store {store.Id}");
            }
        }

        lock (_lock)
        {
            if (_bootstrapped)
            {
                throw new PdErrorException(ErrorType.AlreadyBootstrapped, "cluster is already bootstrapped");
            }

            var storeMeta = store.Clone();
            storeMeta.State = StoreState.Up;
            var regionMeta = region.Clone();
            regionMeta.RegionEpoch ??= new RegionEpoch { ConfVer = 1, Version = 1 };
            var info = new RegionInfo(regionMeta, regionMeta.Peers[0]);
            _storage.SaveBootstrap(storeMeta, info.ToPersisted());
            _ids.ObserveUsed(store.Id);
            _ids.ObserveUsed(region.Id);
            foreach (var peer in region.Peers)
            {
                _ids.ObserveUsed(peer.Id);
            }

            _stores[storeMeta.Id] = new StoreInfo(storeMeta, _time.GetUtcNow());
            _regions[info.Id] = info;
            _tree.Insert(info);
            _bootstrapped = true;
        }
    }

    public void PutStore(Store store)
    {
        if (store is null || store.Id == 0)
        {
            throw new PdErrorException(ErrorType.InvalidValue, "store id must not be zero");
        }

        if (string.IsNullOrEmpty(store.Address))
        {
            throw new PdErrorException(ErrorType.InvalidValue, $"store {store.Id} has no address");
        }

        lock (_lock)
        {
            RequireBootstrapped();
            foreach (var other in _stores.Values)
            {
                if (other.Id != store.Id && other.Meta.State != StoreState.Tombstone && other.Meta.Address == store.Address)
                {
                    throw new PdErrorException(ErrorType.DuplicatedEntry, $"store {other.Id} already uses address {store.Address}");
                }
            }

            var meta = store.Clone();
            if (_stores.TryGetValue(store.Id, out var existing))
            {
                if (existing.Meta.State == StoreState.Tombstone)
                {
                    throw new PdErrorException(ErrorType.StoreTombstone, $"store {store.Id} is tombstone");
                }

                // A restarting store re-registers: it may change address, labels and version, but not the state
                // an administrator gave it.
                meta.State = existing.Meta.State;
                existing.Meta = meta;
                existing.LastSeen = _time.GetUtcNow();
            }
            else
            {
                meta.State = StoreState.Up;
                _stores[meta.Id] = new StoreInfo(meta, _time.GetUtcNow());
            }

            _ids.ObserveUsed(meta.Id);
            _storage.SaveStore(meta);
        }
    }

    public (Store Store, StoreStats? Stats) GetStore(ulong id)
    {
        lock (_lock)
        {
            RequireBootstrapped();
            if (!_stores.TryGetValue(id, out var store))
            {
                throw new PdErrorException(ErrorType.Unknown, $"invalid store ID {id}, not found");
            }

            return (store.ToReported(), store.Stats);
        }
    }

    public List<Store> GetAllStores(bool excludeTombstone)
    {
        lock (_lock)
        {
            RequireBootstrapped();
            var result = new List<Store>(_stores.Count);
            foreach (var store in _stores.Values.OrderBy(s => s.Id))
            {
                if (!excludeTombstone || store.Meta.State != StoreState.Tombstone)
                {
                    result.Add(store.ToReported());
                }
            }

            return result;
        }
    }

    public void StoreHeartbeat(StoreStats stats)
    {
        if (stats is null)
        {
            throw new PdErrorException(ErrorType.InvalidValue, "store heartbeat without stats");
        }

        lock (_lock)
        {
            RequireBootstrapped();
            if (!_stores.TryGetValue(stats.StoreId, out var store))
            {
                throw new PdErrorException(ErrorType.Unknown, $"store {stats.StoreId} not found");
            }

            if (store.Meta.State == StoreState.Tombstone)
            {
                throw new PdErrorException(ErrorType.StoreTombstone, $"store {stats.StoreId} is tombstone");
            }

            var now = _time.GetUtcNow();
            store.Stats = stats;
            store.LastSeen = now;
            store.LastHeartbeat = now;
        }
    }

    /// <summary>Administrator removal: the store goes Offline, its regions move away, then it becomes Tombstone.</summary>
    public void SetStoreOffline(ulong id)
    {
        lock (_lock)
        {
            if (!_stores.TryGetValue(id, out var store))
            {
                throw new PdErrorException(ErrorType.EntryNotFound, $"store {id} not found");
            }

            if (store.Meta.State == StoreState.Tombstone)
            {
                throw new PdErrorException(ErrorType.StoreTombstone, $"store {id} is already tombstone");
            }

            if (store.Meta.State == StoreState.Offline)
            {
                return;
            }

            SetState(store, StoreState.Offline);
        }
    }

    /// <summary>
    /// Applies a region heartbeat. Returns the instruction to send back to the leader's store (the step of a running
    /// operator), or null. A heartbeat older than what pd holds (by version, then conf_ver, against the same region
    /// and against regions it overlaps) is ignored.
    /// </summary>
    public RegionHeartbeatResponse? RegionHeartbeat(RegionHeartbeatRequest request, ulong clusterId)
    {
        var meta = request.Region ?? throw new PdErrorException(ErrorType.InvalidValue, "region heartbeat without a region");
        if (meta.Id == 0 || meta.RegionEpoch is null)
        {
            throw new PdErrorException(ErrorType.InvalidValue, "region heartbeat needs a region id and epoch");
        }

        lock (_lock)
        {
            RequireBootstrapped();
            var info = Accept(meta, request.Leader);
            if (info is null)
            {
                return null;
            }

            info.BytesWritten = request.BytesWritten;
            info.BytesRead = request.BytesRead;
            info.KeysWritten = request.KeysWritten;
            info.KeysRead = request.KeysRead;
            info.ApproximateSize = request.ApproximateSize;
            info.ApproximateKeys = request.ApproximateKeys;
            info.Term = request.Term;
            info.DownPeers.Clear();
            info.DownPeers.AddRange(request.DownPeers);
            info.PendingPeers.Clear();
            info.PendingPeers.AddRange(request.PendingPeers);
            info.LastHeartbeat = _time.GetUtcNow();
            return CheckOperator(info, clusterId);
        }
    }

    public Rpc.Pdpb.Region? GetRegion(ReadOnlySpan<byte> key)
    {
        lock (_lock)
        {
            RequireBootstrapped();
            return _tree.Find(key)?.ToPdRegion();
        }
    }

    public Rpc.Pdpb.Region? GetRegionById(ulong id)
    {
        lock (_lock)
        {
            RequireBootstrapped();
            return _regions.TryGetValue(id, out var info) ? info.ToPdRegion() : null;
        }
    }

    public List<Rpc.Pdpb.Region> ScanRegions(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, int limit)
    {
        lock (_lock)
        {
            RequireBootstrapped();
            var found = _tree.Overlapping(start, end, limit <= 0 ? int.MaxValue : limit);
            return found.ConvertAll(r => r.ToPdRegion());
        }
    }

    /// <summary>New region and peer IDs for splitting <paramref name="region"/> into <paramref name="count"/> + 1 pieces.</summary>
    public List<SplitID> AskBatchSplit(Rpc.Metapb.Region region, uint count)
    {
        if (region is null || region.Id == 0)
        {
            throw new PdErrorException(ErrorType.InvalidValue, "ask batch split without a region");
        }

        if (count == 0 || count > 10_000)
        {
            throw new PdErrorException(ErrorType.InvalidValue, $"split_count must be 1..10000, got {count}");
        }

        lock (_lock)
        {
            RequireBootstrapped();
            if (!_regions.ContainsKey(region.Id))
            {
                throw new PdErrorException(ErrorType.RegionNotFound, $"region {region.Id} not found");
            }
        }

        var result = new List<SplitID>((int)count);
        for (var i = 0; i < count; i++)
        {
            var split = new SplitID { NewRegionId = _ids.Allocate() };
            foreach (var _ in region.Peers)
            {
                split.NewPeerIds.Add(_ids.Allocate());
            }

            result.Add(split);
        }

        return result;
    }

    /// <summary>Applies the regions a split produced (the shrunk original and the new ones).</summary>
    public void ReportBatchSplit(IReadOnlyList<Rpc.Metapb.Region> regions)
    {
        if (regions.Count == 0)
        {
            throw new PdErrorException(ErrorType.InvalidValue, "report batch split without regions");
        }

        lock (_lock)
        {
            RequireBootstrapped();
            ulong leaderStore = 0;
            foreach (var region in regions)
            {
                if (_regions.TryGetValue(region.Id, out var known) && known.Leader is { } l)
                {
                    leaderStore = l.StoreId;
                }
            }

            foreach (var region in regions)
            {
                if (region.Id == 0 || region.RegionEpoch is null)
                {
                    throw new PdErrorException(ErrorType.InvalidValue, "reported split regions need ids and epochs");
                }

                Peer? leader = null;
                foreach (var peer in region.Peers)
                {
                    if (peer.StoreId == leaderStore || leader is null)
                    {
                        leader = peer;
                    }
                }

                Accept(region, leader);
            }
        }
    }

    /// <summary>Creates scatter operators; returns (finished percentage, failed region ids, operators to dispatch).</summary>
    public (ulong Percentage, List<ulong> Failed, List<(ulong StoreId, RegionHeartbeatResponse Instruction)> Dispatch) Scatter(
        IReadOnlyList<ulong> regionIds, Rpc.Metapb.Region? hint, Peer? hintLeader, string group, ulong clusterId)
    {
        var failed = new List<ulong>();
        var dispatch = new List<(ulong, RegionHeartbeatResponse)>();
        lock (_lock)
        {
            RequireBootstrapped();
            if (hint is not null && hint.Id != 0 && !_regions.ContainsKey(hint.Id) && hint.RegionEpoch is not null)
            {
                Accept(hint, hintLeader ?? (hint.Peers.Count > 0 ? hint.Peers[0] : null));
            }

            var now = _time.GetUtcNow();
            var candidates = SchedulableStores(now);
            var counts = RegionCountsWithPending();
            if (!_scatterCounts.TryGetValue(group, out var groupCounts))
            {
                groupCounts = [];
                _scatterCounts[group] = groupCounts;
            }

            foreach (var id in regionIds)
            {
                if (!_regions.TryGetValue(id, out var region) || region.Meta.Peers.Count == 0 || candidates.Count == 0)
                {
                    failed.Add(id);
                    continue;
                }

                if (_running.ContainsKey(id))
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

                var op = CreateMove(region, source, target, "scatter-region", "admin,region", now);
                counts[target] = counts.GetValueOrDefault(target) + 1;
                counts[source] = counts.GetValueOrDefault(source) - 1;
                dispatch.Add((source, op.ToInstruction(clusterId, region)));
            }
        }

        var total = regionIds.Count;
        var percentage = total == 0 ? 100UL : (ulong)((total - failed.Count) * 100 / total);
        return (percentage, failed, dispatch);
    }

    /// <summary>The running operator of a region, else the last finished one, else null.</summary>
    public MoveOperator? GetOperator(ulong regionId)
    {
        lock (_lock)
        {
            if (_running.TryGetValue(regionId, out var op))
            {
                return op;
            }

            return _finished.GetValueOrDefault(regionId);
        }
    }

    /// <summary>
    /// Periodic work: operator timeouts, moving regions off Offline stores, Offline stores without regions becoming
    /// Tombstone, and (when <paramref name="balance"/>) one balance-region step. Returns new instructions to send.
    /// </summary>
    public List<(ulong StoreId, RegionHeartbeatResponse Instruction)> Tick(bool balance, ulong clusterId)
    {
        var dispatch = new List<(ulong, RegionHeartbeatResponse)>();
        lock (_lock)
        {
            if (!_bootstrapped)
            {
                return dispatch;
            }

            var now = _time.GetUtcNow();
            foreach (var op in _running.Values.ToList())
            {
                if (now - op.CreatedAt >= _options.OperatorTimeout)
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

            var candidates = SchedulableStores(now);
            var counts = RegionCountsWithPending();
            var schedulerOps = _running.Values.Count(o => o.Desc != "scatter-region");

            foreach (var store in _stores.Values)
            {
                if (store.Meta.State != StoreState.Offline)
                {
                    continue;
                }

                var hasRegions = false;
                foreach (var region in _regions.Values)
                {
                    if (!region.HasPeerOn(store.Id))
                    {
                        continue;
                    }

                    hasRegions = true;
                    if (schedulerOps >= _options.MaxSchedulerOperators || _running.ContainsKey(region.Id))
                    {
                        continue;
                    }

                    var target = candidates.Where(s => !region.HasPeerOn(s)).OrderBy(s => counts.GetValueOrDefault(s)).ThenBy(s => s).FirstOrDefault();
                    if (target == 0)
                    {
                        continue;
                    }

                    var op = CreateMove(region, store.Id, target, "replace-offline-replica", "region", now);
                    counts[target] = counts.GetValueOrDefault(target) + 1;
                    schedulerOps++;
                    dispatch.Add((region.LeaderStoreId, op.ToInstruction(clusterId, region)));
                }

                if (!hasRegions)
                {
                    SetState(store, StoreState.Tombstone);
                    PdLog.StoreTombstone(_logger, store.Id);
                }
            }

            if (balance && candidates.Count >= 2 && schedulerOps < _options.MaxSchedulerOperators)
            {
                var source = candidates.OrderByDescending(s => counts.GetValueOrDefault(s)).ThenBy(s => s).First();
                var target = candidates.OrderBy(s => counts.GetValueOrDefault(s)).ThenBy(s => s).First();
                if (counts.GetValueOrDefault(source) - counts.GetValueOrDefault(target) > 1)
                {
                    var movable = _regions.Values
                        .Where(r => r.LeaderStoreId == source && r.LastHeartbeat is not null && !_running.ContainsKey(r.Id) && !r.HasPeerOn(target))
                        .ToList();
                    if (movable.Count > 0)
                    {
                        var region = movable[Random.Shared.Next(movable.Count)];
                        var op = CreateMove(region, source, target, "balance-region", "region", now);
                        dispatch.Add((source, op.ToInstruction(clusterId, region)));
                    }
                }
            }
        }

        return dispatch;
    }

    /// <summary>A consistent copy of the stores with their derived state and region/leader counts, for the HTTP API.</summary>
    public List<StoreView> StoreViews()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var regionCounts = new Dictionary<ulong, (int Regions, int Leaders, ulong Size)>();
            foreach (var region in _regions.Values)
            {
                foreach (var peer in region.Meta.Peers)
                {
                    var c = regionCounts.GetValueOrDefault(peer.StoreId);
                    regionCounts[peer.StoreId] = (c.Regions + 1, c.Leaders + (region.LeaderStoreId == peer.StoreId ? 1 : 0), c.Size + region.ApproximateSize);
                }
            }

            return _stores.Values.OrderBy(s => s.Id).Select(s =>
            {
                var c = regionCounts.GetValueOrDefault(s.Id);
                return new StoreView(s.ToReported(), s.StateName(now, _options.StoreDisconnectTime, _options.StoreDownTime), s.Stats,
                    c.Regions, c.Leaders, c.Size, s.LastHeartbeat);
            }).ToList();
        }
    }

    public StoreView? StoreView(ulong id) => StoreViews().Find(v => v.Store.Id == id);

    /// <summary>Regions intersecting a range with their stats, for the HTTP API.</summary>
    public List<RegionView> RegionViews(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        lock (_lock)
        {
            return _tree.Overlapping(start, end).ConvertAll(ToView);
        }
    }

    public RegionView? RegionView(ulong id)
    {
        lock (_lock)
        {
            return _regions.TryGetValue(id, out var info) ? ToView(info) : null;
        }
    }

    private static RegionView ToView(RegionInfo r) => new(
        r.Meta, r.Leader, [.. r.DownPeers], [.. r.PendingPeers], r.BytesWritten, r.BytesRead, r.KeysWritten, r.KeysRead, r.ApproximateSize, r.ApproximateKeys);

    private void RequireBootstrapped()
    {
        if (!_bootstrapped)
        {
            throw new PdErrorException(ErrorType.NotBootstrapped, "cluster is not bootstrapped");
        }
    }

    /// <summary>Puts a reported region into the map unless it is stale; returns its entry, or null when ignored.</summary>
    private RegionInfo? Accept(Rpc.Metapb.Region meta, Peer? leader)
    {
        var epoch = meta.RegionEpoch;
        _regions.TryGetValue(meta.Id, out var origin);
        if (origin is not null && (epoch.Version < origin.Version || epoch.ConfVer < origin.ConfVer))
        {
            PdLog.StaleRegion(_logger, meta.Id, epoch.Version, epoch.ConfVer, origin.Version, origin.ConfVer);
            return null;
        }

        var overlaps = _tree.Overlapping(meta.StartKey.Span, meta.EndKey.Span);
        overlaps.RemoveAll(r => r.Id == meta.Id);
        foreach (var other in overlaps)
        {
            if (other.Version > epoch.Version)
            {
                PdLog.StaleRegion(_logger, meta.Id, epoch.Version, epoch.ConfVer, other.Version, other.ConfVer);
                return null;
            }
        }

        if (origin is not null && overlaps.Count == 0 && origin.Meta.Equals(meta) && Equals(origin.Leader, leader))
        {
            return origin;
        }

        var info = new RegionInfo(meta, leader);
        if (origin is not null)
        {
            _tree.Remove(origin);
            CopyStats(origin, info);
        }

        foreach (var other in overlaps)
        {
            _tree.Remove(other);
            _regions.Remove(other.Id);
            if (_running.TryGetValue(other.Id, out var op))
            {
                Finish(op, OperatorStatus.Cancel, _time.GetUtcNow());
            }
        }

        _tree.Insert(info);
        _regions[info.Id] = info;
        _storage.SaveRegions([info.ToPersisted()], overlaps.Select(o => o.Id));
        return info;
    }

    private static void CopyStats(RegionInfo from, RegionInfo to)
    {
        to.BytesWritten = from.BytesWritten;
        to.BytesRead = from.BytesRead;
        to.KeysWritten = from.KeysWritten;
        to.KeysRead = from.KeysRead;
        to.ApproximateSize = from.ApproximateSize;
        to.ApproximateKeys = from.ApproximateKeys;
        to.Term = from.Term;
        to.LastHeartbeat = from.LastHeartbeat;
        to.DownPeers.AddRange(from.DownPeers);
        to.PendingPeers.AddRange(from.PendingPeers);
    }

    private RegionHeartbeatResponse? CheckOperator(RegionInfo region, ulong clusterId)
    {
        if (!_running.TryGetValue(region.Id, out var op))
        {
            return null;
        }

        var now = _time.GetUtcNow();
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

        if (now - op.CreatedAt >= _options.OperatorTimeout)
        {
            Finish(op, OperatorStatus.Timeout, now);
            return null;
        }

        // Repeated on every heartbeat until the store reports the new peers; a store must treat a repeat of an
        // instruction it is already carrying out as a no-op.
        return op.ToInstruction(clusterId, region);
    }

    private MoveOperator CreateMove(RegionInfo region, ulong source, ulong target, string desc, string kind, DateTimeOffset now)
    {
        var sourcePeer = region.PeerOn(source) ?? throw new InvalidOperationException($"region {region.Id} has no peer on store {source}");
        var op = new MoveOperator
        {
            RegionId = region.Id,
            Desc = desc,
            Kind = kind,
            SourceStoreId = source,
            SourcePeer = sourcePeer,
            TargetPeer = new Peer { Id = _ids.Allocate(), StoreId = target, Role = sourcePeer.Role },
            BaseEpoch = region.Meta.RegionEpoch ?? new RegionEpoch(),
            CreatedAt = now,
        };
        _running[region.Id] = op;
        _finished.Remove(region.Id);
        PdLog.OperatorCreated(_logger, desc, region.Id, source, target);
        return op;
    }

    private void Finish(MoveOperator op, OperatorStatus status, DateTimeOffset now)
    {
        op.Status = status;
        op.FinishedAt = now;
        _running.Remove(op.RegionId);
        _finished[op.RegionId] = op;
        PdLog.OperatorFinished(_logger, op.Desc, op.RegionId, status);
    }

    private void SetState(StoreInfo store, StoreState state)
    {
        var meta = store.Meta.Clone();
        meta.State = state;
        _storage.SaveStore(meta);
        store.Meta = meta;
    }

    /// <summary>Stores that may receive regions: Up (heartbeating), not Offline/Down/Tombstone, not TiFlash.</summary>
    private List<ulong> SchedulableStores(DateTimeOffset now) =>
        _stores.Values
            .Where(s => !s.IsTiFlash && s.StateName(now, _options.StoreDisconnectTime, _options.StoreDownTime) == StoreStateName.Up)
            .Select(s => s.Id)
            .OrderBy(id => id)
            .ToList();

    /// <summary>Peers per store, counting running moves as already done.</summary>
    private Dictionary<ulong, int> RegionCountsWithPending()
    {
        var counts = new Dictionary<ulong, int>();
        foreach (var region in _regions.Values)
        {
            foreach (var peer in region.Meta.Peers)
            {
                counts[peer.StoreId] = counts.GetValueOrDefault(peer.StoreId) + 1;
            }
        }

        foreach (var op in _running.Values)
        {
            counts[op.TargetStoreId] = counts.GetValueOrDefault(op.TargetStoreId) + 1;
            counts[op.SourceStoreId] = counts.GetValueOrDefault(op.SourceStoreId) - 1;
        }

        return counts;
    }
}
