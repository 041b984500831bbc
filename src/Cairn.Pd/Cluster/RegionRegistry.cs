using System.Diagnostics.CodeAnalysis;
using Cairn.Common.Keys;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;
using Microsoft.Extensions.Logging;

namespace Cairn.Pd.Cluster;

/// <summary>
/// The regions pd knows, by id and by key range, persisted through <see cref="PdStorage"/>. Not thread-safe:
/// <see cref="PdCluster"/>'s lock guards it together with the stores and operators.
/// </summary>
internal sealed class RegionRegistry
{
    private readonly PdStorage _storage;
    private readonly ILogger _logger;
    private readonly Dictionary<ulong, RegionInfo> _regions = [];
    // The same regions by key range (empty end = +infinity). Accept removes what a region replaces before adding it,
    // so the map's own evict-on-overlap only matters for persisted regions that overlap (see the constructor).
    private readonly KeyRangeMap<RegionInfo> _tree = new();

    public RegionRegistry(PdStorage storage, ILogger logger)
    {
        _storage = storage;
        _logger = logger;
        foreach (var region in storage.LoadRegions())
        {
            var info = new RegionInfo(region.Region_, region.Leader);
            _regions[info.Id] = info;

            // Saved regions never overlap (Accept deletes what it replaces in the same write); if some did, the id
            // map must not keep a region the key map has dropped, or the two views would disagree.
            foreach (var evicted in Add(info))
            {
                _regions.Remove(evicted.Value.Id);
            }
        }
    }

    public IEnumerable<RegionInfo> All => _regions.Values;

    /// <summary>Adds the first region; bootstrap persists it together with the first store.</summary>
    public void AddBootstrapped(RegionInfo info)
    {
        _regions[info.Id] = info;
        Add(info);
    }

    public bool Contains(ulong id) => _regions.ContainsKey(id);

    public bool TryGet(ulong id, [MaybeNullWhen(false)] out RegionInfo region) =>
        _regions.TryGetValue(id, out region);

    public RegionInfo? Find(ReadOnlySpan<byte> key) => _tree.TryFind(key, out var entry) ? entry.Value : null;

    public List<RegionInfo> Overlapping(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, int limit = int.MaxValue) =>
        [.. _tree.Overlapping(start, end, limit).Select(e => e.Value)];

    /// <summary>
    /// Puts a reported region into the map unless it is stale; returns its entry, or null when ignored. Regions it
    /// replaces are handed to <paramref name="onRemoved"/> as they go, so their operators end with them.
    /// </summary>
    public RegionInfo? Accept(Rpc.Metapb.Region meta, Peer? leader, Action<ulong> onRemoved)
    {
        // Checked before anything changes: the key map refuses an empty range, and a region reported with one would
        // otherwise fail halfway through replacing its neighbours.
        if (meta.EndKey.Length != 0 && meta.StartKey.Span.SequenceCompareTo(meta.EndKey.Span) >= 0)
        {
            throw new PdErrorException(ErrorType.InvalidValue, $"region {meta.Id} has an empty key range");
        }

        var epoch = meta.RegionEpoch;
        _regions.TryGetValue(meta.Id, out var origin);
        if (origin is not null && (epoch.Version < origin.Version || epoch.ConfVer < origin.ConfVer))
        {
            PdLog.StaleRegion(_logger, meta.Id, epoch.Version, epoch.ConfVer, origin.Version, origin.ConfVer);
            return null;
        }

        var overlaps = Overlapping(meta.StartKey.Span, meta.EndKey.Span);
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
            _tree.Remove(origin.StartKey);
            CopyStats(origin, info);
        }

        foreach (var other in overlaps)
        {
            _tree.Remove(other.StartKey);
            _regions.Remove(other.Id);
            onRemoved(other.Id);
        }

        Add(info);
        _regions[info.Id] = info;
        _storage.SaveRegions([info.ToPersisted()], overlaps.Select(o => o.Id));
        return info;
    }

    /// <summary>Peers per store.</summary>
    public Dictionary<ulong, int> PeerCounts()
    {
        var counts = new Dictionary<ulong, int>();
        foreach (var region in _regions.Values)
        {
            foreach (var peer in region.Meta.Peers)
            {
                counts[peer.StoreId] = counts.GetValueOrDefault(peer.StoreId) + 1;
            }
        }

        return counts;
    }

    /// <summary>Regions, leaders and approximate bytes per store, for the HTTP API's store views.</summary>
    public Dictionary<ulong, (int Regions, int Leaders, ulong Size)> StoreLoads()
    {
        var loads = new Dictionary<ulong, (int Regions, int Leaders, ulong Size)>();
        foreach (var region in _regions.Values)
        {
            foreach (var peer in region.Meta.Peers)
            {
                var c = loads.GetValueOrDefault(peer.StoreId);
                loads[peer.StoreId] = (c.Regions + 1, c.Leaders + (region.LeaderStoreId == peer.StoreId ? 1 : 0), c.Size + region.ApproximateSize);
            }
        }

        return loads;
    }

    public List<RegionView> Views(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end) => [.. _tree.Overlapping(start, end).Select(e => ToView(e.Value))];

    public RegionView? View(ulong id) => _regions.TryGetValue(id, out var info) ? ToView(info) : null;

    private IReadOnlyList<KeyRangeMap<RegionInfo>.Entry> Add(RegionInfo info) => _tree.Add(info.StartKey, info.EndKey, info);

    private static RegionView ToView(RegionInfo r) => new(
        r.Meta, r.Leader, [.. r.DownPeers], [.. r.PendingPeers], r.BytesWritten, r.BytesRead, r.KeysWritten, r.KeysRead, r.ApproximateSize, r.ApproximateKeys);

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
}
