using Cairn.Common.Codec;
using Cairn.Common.Keys;
using Cairn.RocksDb;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Storepb;
using Cairn.Store.Engine;
using Google.Protobuf;
using RegionError = Cairn.Rpc.Errorpb.Error;

namespace Cairn.Store.Regions;

/// <summary>
/// The regions of one store: loaded from local keys at start, checked against every request's context, and changed
/// (split) with the new states written atomically and synced before anyone sees them. Region messages handed out are
/// never mutated afterwards: every change replaces them.
/// </summary>
internal sealed class RegionManager
{
    private const int MaxRegionsInEpochError = 64;
    private readonly StoreEngine _engine;
    private readonly Lock _gate = new();
    private readonly Dictionary<ulong, Peer?> _movedAway = [];
    private readonly HashSet<ulong> _frozen = [];
    private readonly Dictionary<ulong, int> _inFlight = [];
    private Dictionary<ulong, Region> _regions;

    private RegionManager(StoreEngine engine, ulong storeId, ulong clusterId, Dictionary<ulong, Region> regions)
    {
        _engine = engine;
        StoreId = storeId;
        ClusterId = clusterId;
        _regions = regions;
    }

    /// <summary>This store's ID.</summary>
    public ulong StoreId { get; }

    /// <summary>The cluster this store belongs to (0 for a standalone store).</summary>
    public ulong ClusterId { get; }

    /// <summary>Raised after a split is persisted, with every resulting region (the original included).</summary>
    public event Action<IReadOnlyList<Region>>? RegionsSplit;

    /// <summary>Number of regions on this store.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _regions.Count;
            }
        }
    }

    /// <summary>
    /// Loads the store identity and its regions; a store with no identity is bootstrapped standalone: a store ID,
    /// one region covering the whole key space with epoch {1, 1} and one peer on this store, written in one synced batch.
    /// </summary>
    public static async Task<RegionManager> LoadOrBootstrapAsync(StoreEngine engine, IIdAllocator ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(ids);
        var identBytes = engine.Db.Get(engine.Default, LocalKeys.StoreIdent);
        if (identBytes is null)
        {
            var storeId = await ids.AllocAsync(cancellationToken).ConfigureAwait(false);
            var regionId = await ids.AllocAsync(cancellationToken).ConfigureAwait(false);
            var peerId = await ids.AllocAsync(cancellationToken).ConfigureAwait(false);
            var region = new Region
            {
                Id = regionId,
                StartKey = ByteString.Empty,
                EndKey = ByteString.Empty,
                RegionEpoch = new RegionEpoch { ConfVer = 1, Version = 1 },
            };
            region.Peers.Add(new Peer { Id = peerId, StoreId = storeId, Role = PeerRole.Voter });
            using var batch = new WriteBatch();
            batch.Put(engine.Default, LocalKeys.RegionState(regionId), region.ToByteArray());
            // The identity goes last in the same batch: a store with an identity always has its first region.
            batch.Put(engine.Default, LocalKeys.StoreIdent, new StoreIdent { StoreId = storeId }.ToByteArray());
            engine.WriteMeta(batch);
            return new RegionManager(engine, storeId, 0, new Dictionary<ulong, Region> { [regionId] = region });
        }

        return Load(engine) ?? throw new InvalidOperationException("The store identity vanished while loading.");
    }

    /// <summary>Loads the store identity and its regions; null when the engine has no identity yet.</summary>
    public static RegionManager? Load(StoreEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var identBytes = engine.Db.Get(engine.Default, LocalKeys.StoreIdent);
        if (identBytes is null)
        {
            return null;
        }

        var ident = StoreIdent.Parser.ParseFrom(identBytes);
        var regions = new Dictionary<ulong, Region>();
        using (var it = engine.Db.NewIterator(engine.Default, LocalKeys.RegionMetaMin, LocalKeys.RegionMetaMax))
        {
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
                var region = Region.Parser.ParseFrom(it.Value);
                regions[region.Id] = region;
            }

            it.ThrowIfError();
        }

        return new RegionManager(engine, ident.StoreId, ident.ClusterId, regions);
    }

    /// <summary>
    /// Writes a new store identity belonging to <paramref name="clusterId"/>, with <paramref name="firstRegion"/> when
    /// this store bootstraps the cluster, in one synced batch (the identity last, so it never exists without the region).
    /// </summary>
    public static RegionManager Create(StoreEngine engine, ulong clusterId, ulong storeId, Region? firstRegion)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var regions = new Dictionary<ulong, Region>();
        using var batch = new WriteBatch();
        if (firstRegion is not null)
        {
            batch.Put(engine.Default, LocalKeys.RegionState(firstRegion.Id), firstRegion.ToByteArray());
            regions[firstRegion.Id] = firstRegion;
        }

        batch.Put(engine.Default, LocalKeys.StoreIdent, new StoreIdent { ClusterId = clusterId, StoreId = storeId }.ToByteArray());
        engine.WriteMeta(batch);
        return new RegionManager(engine, storeId, clusterId, regions);
    }

    /// <summary>Adds (or replaces) a region and persists its state, synced.</summary>
    public void PutRegion(Region region)
    {
        ArgumentNullException.ThrowIfNull(region);
        lock (_gate)
        {
            using (var batch = new WriteBatch())
            {
                batch.Put(_engine.Default, LocalKeys.RegionState(region.Id), region.ToByteArray());
                _engine.WriteMeta(batch);
            }

            _regions = new Dictionary<ulong, Region>(_regions) { [region.Id] = region };
            _movedAway.Remove(region.Id);
            _frozen.Remove(region.Id);
        }
    }

    /// <summary>
    /// Removes a region's state (synced) after it moved to <paramref name="newLeader"/>; later requests for it get
    /// NotLeader naming the new leader. The caller deletes the data.
    /// </summary>
    public void RemoveRegion(ulong regionId, Peer? newLeader)
    {
        lock (_gate)
        {
            using (var batch = new WriteBatch())
            {
                batch.Delete(_engine.Default, LocalKeys.RegionState(regionId));
                _engine.WriteMeta(batch);
            }

            var next = new Dictionary<ulong, Region>(_regions);
            next.Remove(regionId);
            _regions = next;
            _frozen.Remove(regionId);
            _movedAway[regionId] = newLeader;
        }
    }

    /// <summary>
    /// Stops (or resumes) serving a region: while frozen, every request for it gets ServerIsBusy, which clients back
    /// off and retry. Returns false when the region is not here or already frozen.
    /// </summary>
    public bool Freeze(ulong regionId, bool frozen)
    {
        lock (_gate)
        {
            if (!frozen)
            {
                return _frozen.Remove(regionId);
            }

            return _regions.ContainsKey(regionId) && _frozen.Add(regionId);
        }
    }

    /// <summary>
    /// <see cref="Check"/> for a data request, and on success counts the request as in flight on the region until
    /// <see cref="Exit"/>, so a move can wait for requests that passed the check before the region froze.
    /// </summary>
    public RegionError? Enter(Context? context, out Region region) => Enter(context, checkConfVer: false, out region);

    /// <summary>
    /// <see cref="Enter(Context?, out Region)"/> with the epoch check of <see cref="Check"/> chosen: SST ingests
    /// compare conf_ver as well as version, as TiKV does when it applies them.
    /// </summary>
    public RegionError? Enter(Context? context, bool checkConfVer, out Region region)
    {
        if (Check(context, checkConfVer, out region) is { } error)
        {
            return error;
        }

        lock (_gate)
        {
            if (_frozen.Contains(region.Id))
            {
                var id = region.Id;
                region = null!;
                return RegionErrors.ServerIsBusy($"region {id} is being moved", 50);
            }

            _inFlight[region.Id] = _inFlight.GetValueOrDefault(region.Id) + 1;
        }

        return null;
    }

    /// <summary>Ends a request admitted by <see cref="Enter(Context?, out Region)"/>.</summary>
    public void Exit(ulong regionId)
    {
        lock (_gate)
        {
            var n = _inFlight.GetValueOrDefault(regionId) - 1;
            if (n <= 0)
            {
                _inFlight.Remove(regionId);
            }
            else
            {
                _inFlight[regionId] = n;
            }
        }
    }

    /// <summary>Waits until no request admitted by <see cref="Enter(Context?, out Region)"/> is running on the region.</summary>
    public async Task DrainAsync(ulong regionId, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                if (!_inFlight.ContainsKey(regionId))
                {
                    return;
                }
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the region is frozen (being moved away).</summary>
    public bool IsFrozen(ulong regionId)
    {
        lock (_gate)
        {
            return _frozen.Contains(regionId);
        }
    }

    /// <summary>A snapshot of every region ordered by start key.</summary>
    public IReadOnlyList<Region> GetRegions()
    {
        lock (_gate)
        {
            return [.. _regions.Values.OrderBy(r => r.StartKey.Memory, ByteKeyComparer.Instance)];
        }
    }

    /// <summary>The region with this ID, or null.</summary>
    public Region? GetRegion(ulong regionId)
    {
        lock (_gate)
        {
            return _regions.GetValueOrDefault(regionId);
        }
    }

    /// <summary>This store's peer in <paramref name="region"/>, or null.</summary>
    public Peer? LocalPeer(Region region)
    {
        ArgumentNullException.ThrowIfNull(region);
        foreach (var peer in region.Peers)
        {
            if (peer.StoreId == StoreId)
            {
                return peer;
            }
        }

        return null;
    }

    /// <summary>
    /// Checks a request's context as TiKV does, in order: store ID, region, peer, epoch. Normal requests compare
    /// the epoch version only; admin requests (split) compare conf_ver too. Returns null and the region when it can be served.
    /// </summary>
    public RegionError? Check(Context? context, bool checkConfVer, out Region region)
    {
        region = null!;
        if (context is null)
        {
            return RegionErrors.RegionNotFound(0);
        }

        if (context.Peer is { StoreId: not 0 } requested && requested.StoreId != StoreId)
        {
            return RegionErrors.StoreNotMatch(requested.StoreId, StoreId);
        }

        Region? found;
        bool frozen;
        lock (_gate)
        {
            found = _regions.GetValueOrDefault(context.RegionId);
            frozen = found is not null && _frozen.Contains(found.Id);
            if (found is null && _movedAway.TryGetValue(context.RegionId, out var leader))
            {
                // The region moved to another store: tell the client where, as a follower would.
                return RegionErrors.NotLeader(context.RegionId, leader);
            }
        }

        if (found is null)
        {
            return RegionErrors.RegionNotFound(context.RegionId);
        }

        if (frozen)
        {
            return RegionErrors.ServerIsBusy($"region {found.Id} is being moved", 50);
        }

        var local = LocalPeer(found);
        if (local is null)
        {
            return RegionErrors.NotLeader(found.Id, null);
        }

        if (context.Peer is { Id: not 0 } peer && peer.Id != local.Id)
        {
            return RegionErrors.NotLeader(found.Id, local);
        }

        var epoch = context.RegionEpoch;
        var current = found.RegionEpoch;
        if (epoch is null || epoch.Version != current.Version || (checkConfVer && epoch.ConfVer != current.ConfVer))
        {
            return RegionErrors.EpochNotMatch(
                $"current epoch of region {found.Id} is {Describe(current)}, but you sent {Describe(epoch)}",
                CurrentRegionsFor(found, epoch));
        }

        region = found;
        return null;
    }

    /// <summary>Whether <paramref name="key"/> (in the region's key form) lies in <c>[start, end)</c>.</summary>
    public static bool Contains(Region region, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(region);
        return key.SequenceCompareTo(region.StartKey.Span) >= 0 && (region.EndKey.IsEmpty || key.SequenceCompareTo(region.EndKey.Span) < 0);
    }

    /// <summary>
    /// Turns split keys as clients send them (raw keys) into the region's key form: memcomparable-encoded unless
    /// <paramref name="isRawKv"/>. Returns an error for an empty key, which encoding would otherwise hide.
    /// </summary>
    public static string? PrepareSplitKeys(IEnumerable<ByteString> rawKeys, bool isRawKv, out List<byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(rawKeys);
        keys = [];
        foreach (var key in rawKeys)
        {
            if (key.IsEmpty)
            {
                return $"split key {keys.Count} is empty";
            }

            keys.Add(isRawKv ? key.ToByteArray() : Common.Mvcc.MvccKey.EncodeKey(key.Span));
        }

        return null;
    }

    /// <summary>
    /// Splits the region named by <paramref name="context"/> at <paramref name="splitKeys"/> (already in the region's
    /// key form). With <paramref name="suppliedIds"/> null, IDs come from <paramref name="ids"/>. As TiKV with its
    /// default <c>right-derive-when-split</c>, the rightmost result keeps the original region ID and peers; every
    /// result gets epoch version + number of new regions. All states are written in one synced batch.
    /// </summary>
    public async Task<SplitOutcome> SplitAsync(
        Context? context, IReadOnlyList<byte[]> splitKeys, IReadOnlyList<SplitId>? suppliedIds, IIdAllocator ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(splitKeys);
        ArgumentNullException.ThrowIfNull(ids);
        if (Check(context, checkConfVer: true, out var region) is { } error)
        {
            return SplitOutcome.Failed(error);
        }

        if (splitKeys.Count == 0)
        {
            return SplitOutcome.Invalid("no split keys");
        }

        for (var i = 0; i < splitKeys.Count; i++)
        {
            var key = splitKeys[i];
            if (key.Length == 0)
            {
                return SplitOutcome.Invalid($"split key {i} is empty");
            }

            if (key.AsSpan().SequenceEqual(region.StartKey.Span))
            {
                return SplitOutcome.Invalid($"split key {Convert.ToHexString(key)} equals the start key of region {region.Id}");
            }

            if (!Contains(region, key))
            {
                return SplitOutcome.Invalid($"split key {Convert.ToHexString(key)} is outside region {region.Id} [{Convert.ToHexString(region.StartKey.Span)}, {Convert.ToHexString(region.EndKey.Span)})");
            }

            if (i > 0)
            {
                var order = KeyBytes.Compare(splitKeys[i - 1], key);
                if (order == 0)
                {
                    return SplitOutcome.Invalid($"split key {Convert.ToHexString(key)} is given twice");
                }

                if (order > 0)
                {
                    return SplitOutcome.Invalid("split keys are not in ascending order");
                }
            }
        }

        var newIds = new List<SplitId>(splitKeys.Count);
        if (suppliedIds is not null)
        {
            if (suppliedIds.Count != splitKeys.Count)
            {
                return SplitOutcome.Invalid($"{splitKeys.Count} split keys need {splitKeys.Count} ids, got {suppliedIds.Count}");
            }

            var seen = new HashSet<ulong>();
            foreach (var id in suppliedIds)
            {
                if (id.NewRegionId == 0 || id.NewPeerIds.Count != region.Peers.Count || id.NewPeerIds.Any(p => p == 0))
                {
                    return SplitOutcome.Invalid($"each split id needs a non-zero region id and {region.Peers.Count} non-zero peer ids");
                }

                if (!seen.Add(id.NewRegionId) || GetRegion(id.NewRegionId) is not null)
                {
                    return SplitOutcome.Invalid($"region id {id.NewRegionId} is already in use");
                }

                foreach (var peerId in id.NewPeerIds)
                {
                    if (!seen.Add(peerId) || PeerIdInUse(peerId))
                    {
                        return SplitOutcome.Invalid($"peer id {peerId} is already in use");
                    }
                }

                newIds.Add(id);
            }
        }
        else if (ids is ISplitIdSource source)
        {
            newIds.AddRange(await source.AskSplitIdsAsync(region, splitKeys.Count, cancellationToken).ConfigureAwait(false));
        }
        else
        {
            for (var i = 0; i < splitKeys.Count; i++)
            {
                var id = new SplitId { NewRegionId = await ids.AllocAsync(cancellationToken).ConfigureAwait(false) };
                for (var p = 0; p < region.Peers.Count; p++)
                {
                    id.NewPeerIds.Add(await ids.AllocAsync(cancellationToken).ConfigureAwait(false));
                }

                newIds.Add(id);
            }
        }

        SplitOutcome outcome;
        lock (_gate)
        {
            // Re-check under the lock: a concurrent split may have changed the region since the first check.
            if (_frozen.Contains(region.Id))
            {
                return SplitOutcome.Failed(RegionErrors.ServerIsBusy($"region {region.Id} is being moved", 50));
            }

            if (!_regions.TryGetValue(region.Id, out var latest) || !ReferenceEquals(latest, region))
            {
                return SplitOutcome.Failed(RegionErrors.EpochNotMatch($"region {region.Id} changed during the split", CurrentRegionsFor(latest ?? region, region.RegionEpoch)));
            }

            var version = region.RegionEpoch.Version + (ulong)splitKeys.Count;
            var results = new List<Region>(splitKeys.Count + 1);
            var start = region.StartKey;
            for (var i = 0; i < splitKeys.Count; i++)
            {
                var end = ByteString.CopyFrom(splitKeys[i]);
                var created = new Region
                {
                    Id = newIds[i].NewRegionId,
                    StartKey = start,
                    EndKey = end,
                    RegionEpoch = new RegionEpoch { ConfVer = region.RegionEpoch.ConfVer, Version = version },
                };
                for (var p = 0; p < region.Peers.Count; p++)
                {
                    var old = region.Peers[p];
                    created.Peers.Add(new Peer { Id = newIds[i].NewPeerIds[p], StoreId = old.StoreId, Role = old.Role });
                }

                results.Add(created);
                start = end;
            }

            var derived = region.Clone();
            derived.StartKey = start;
            derived.RegionEpoch = new RegionEpoch { ConfVer = region.RegionEpoch.ConfVer, Version = version };
            results.Add(derived);

            using (var batch = new WriteBatch())
            {
                foreach (var r in results)
                {
                    batch.Put(_engine.Default, LocalKeys.RegionState(r.Id), r.ToByteArray());
                }

                _engine.WriteMeta(batch);
            }

            var next = new Dictionary<ulong, Region>(_regions);
            foreach (var r in results)
            {
                next[r.Id] = r;
            }

            _regions = next;
            outcome = new SplitOutcome { Regions = results };
        }

        RegionsSplit?.Invoke(outcome.Regions);
        return outcome;
    }

    private bool PeerIdInUse(ulong peerId)
    {
        lock (_gate)
        {
            return _regions.Values.Any(r => r.Peers.Any(p => p.Id == peerId));
        }
    }

    // The current region first, then every region created since the client's epoch (siblings of a split carry a
    // higher version), so a client can refresh its cache from one answer.
    private List<Region> CurrentRegionsFor(Region current, RegionEpoch? stale)
    {
        var result = new List<Region> { current };
        var staleVersion = stale?.Version ?? 0;
        lock (_gate)
        {
            foreach (var r in _regions.Values)
            {
                if (result.Count >= MaxRegionsInEpochError)
                {
                    break;
                }

                if (r.Id != current.Id && r.RegionEpoch.Version > staleVersion)
                {
                    result.Add(r);
                }
            }
        }

        return result;
    }

    private static string Describe(RegionEpoch? epoch) => epoch is null ? "none" : $"{{conf_ver: {epoch.ConfVer}, version: {epoch.Version}}}";
}
