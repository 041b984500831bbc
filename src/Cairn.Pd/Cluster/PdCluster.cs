using Cairn.Pd.Scheduling;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;
using Microsoft.Extensions.Logging;

namespace Cairn.Pd.Cluster;

/// <summary>
/// The cluster pd manages: bootstrap state, and the coordinator of the store and region registries, the operators
/// and the schedulers. One lock guards them all, because scheduling reads stores, regions and operators together;
/// metadata messages kept here are treated as immutable (replaced, never mutated) so callers may serialize them
/// after the lock is released.
/// </summary>
internal sealed class PdCluster
{
    private readonly PdStorage _storage;
    private readonly IdAllocator _ids;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly StoreRegistry _stores;
    private readonly RegionRegistry _regions;
    private readonly OperatorController _operators;
    private readonly ScatterScheduler _scatter;
    private readonly BalanceScheduler _balance;
    private bool _bootstrapped;

    public PdCluster(PdStorage storage, IdAllocator ids, PdServerOptions options, TimeProvider time, ILogger logger)
    {
        _storage = storage;
        _ids = ids;
        _time = time;
        _bootstrapped = storage.LoadBootstrapped();
        _stores = new StoreRegistry(storage, ids, options, time);
        _regions = new RegionRegistry(storage, logger);
        _operators = new OperatorController(ids, options, time, logger);
        _scatter = new ScatterScheduler(_stores, _regions, _operators);
        _balance = new BalanceScheduler(_stores, _regions, _operators, options, logger);
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

            _stores.AddBootstrapped(storeMeta);
            _regions.AddBootstrapped(info);
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
            _stores.Put(store);
        }
    }

    public (Store Store, StoreStats? Stats) GetStore(ulong id)
    {
        lock (_lock)
        {
            RequireBootstrapped();
            return _stores.Get(id);
        }
    }

    public List<Store> GetAllStores(bool excludeTombstone)
    {
        lock (_lock)
        {
            RequireBootstrapped();
            return _stores.List(excludeTombstone);
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
            _stores.Heartbeat(stats);
        }
    }

    /// <summary>Administrator removal: the store goes Offline, its regions move away, then it becomes Tombstone.</summary>
    public void SetStoreOffline(ulong id)
    {
        lock (_lock)
        {
            _stores.SetOffline(id);
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
            return _operators.Check(info, clusterId);
        }
    }

    public Rpc.Pdpb.Region? GetRegion(ReadOnlySpan<byte> key)
    {
        lock (_lock)
        {
            RequireBootstrapped();
            return _regions.Find(key)?.ToPdRegion();
        }
    }

    public Rpc.Pdpb.Region? GetRegionById(ulong id)
    {
        lock (_lock)
        {
            RequireBootstrapped();
            return _regions.TryGet(id, out var info) ? info.ToPdRegion() : null;
        }
    }

    public List<Rpc.Pdpb.Region> ScanRegions(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, int limit)
    {
        lock (_lock)
        {
            RequireBootstrapped();
            var found = _regions.Overlapping(start, end, limit <= 0 ? int.MaxValue : limit);
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
            if (!_regions.Contains(region.Id))
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
                if (_regions.TryGet(region.Id, out var known) && known.Leader is { } l)
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
            if (hint is not null && hint.Id != 0 && !_regions.Contains(hint.Id) && hint.RegionEpoch is not null)
            {
                Accept(hint, hintLeader ?? (hint.Peers.Count > 0 ? hint.Peers[0] : null));
            }

            _scatter.Scatter(regionIds, group, clusterId, _time.GetUtcNow(), failed, dispatch);
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
            return _operators.Get(regionId);
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
            _operators.Expire(now);
            _balance.Schedule(balance, clusterId, now, dispatch);
        }

        return dispatch;
    }

    /// <summary>A consistent copy of the stores with their derived state and region/leader counts, for the HTTP API.</summary>
    public List<StoreView> StoreViews()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var loads = _regions.StoreLoads();
            return _stores.All.OrderBy(s => s.Id).Select(s =>
            {
                var c = loads.GetValueOrDefault(s.Id);
                return new StoreView(s.ToReported(), _stores.StateName(s, now), s.Stats, c.Regions, c.Leaders, c.Size, s.LastHeartbeat);
            }).ToList();
        }
    }

    public StoreView? StoreView(ulong id) => StoreViews().Find(v => v.Store.Id == id);

    /// <summary>Regions intersecting a range with their stats, for the HTTP API.</summary>
    public List<RegionView> RegionViews(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        lock (_lock)
        {
            return _regions.Views(start, end);
        }
    }

    public RegionView? RegionView(ulong id)
    {
        lock (_lock)
        {
            return _regions.View(id);
        }
    }

    private void RequireBootstrapped()
    {
        if (!_bootstrapped)
        {
            throw new PdErrorException(ErrorType.NotBootstrapped, "cluster is not bootstrapped");
        }
    }

    /// <summary>Puts a reported region into the map unless it is stale; operators of the regions it replaces end.</summary>
    private RegionInfo? Accept(Rpc.Metapb.Region meta, Peer? leader) => _regions.Accept(meta, leader, _operators.Cancel);
}
