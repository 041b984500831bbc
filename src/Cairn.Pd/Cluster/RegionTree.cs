using Cairn.Common.Codec;

namespace Cairn.Pd.Cluster;

/// <summary>
/// Non-overlapping regions ordered by encoded start key, for key lookups and range scans. An empty end key means
/// +infinity. Not thread-safe: the cluster's lock guards it.
/// </summary>
internal sealed class RegionTree
{
    private readonly List<RegionInfo> _byStart = [];

    public int Count => _byStart.Count;

    public IReadOnlyList<RegionInfo> All => _byStart;

    /// <summary>The region containing <paramref name="key"/>, or null.</summary>
    public RegionInfo? Find(ReadOnlySpan<byte> key)
    {
        var index = FloorIndex(key);
        if (index < 0)
        {
            return null;
        }

        var region = _byStart[index];
        return Contains(region, key) ? region : null;
    }

    /// <summary>Regions intersecting <c>[start, end)</c> (empty end = +infinity), in key order.</summary>
    public List<RegionInfo> Overlapping(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, int limit = int.MaxValue)
    {
        var result = new List<RegionInfo>();
        var index = FloorIndex(start);
        if (index < 0 || !Contains(_byStart[index], start))
        {
            index++;
        }

        for (; index < _byStart.Count && result.Count < limit; index++)
        {
            var region = _byStart[index];
            if (end.Length > 0 && KeyBytes.Compare(region.StartKey, end) >= 0)
            {
                break;
            }

            result.Add(region);
        }

        return result;
    }

    /// <summary>Adds a region; the caller has removed whatever it overlaps.</summary>
    public void Insert(RegionInfo region)
    {
        var index = FloorIndex(region.StartKey);
        _byStart.Insert(index + 1, region);
    }

    public bool Remove(RegionInfo region)
    {
        var index = FloorIndex(region.StartKey);
        if (index >= 0 && ReferenceEquals(_byStart[index], region))
        {
            _byStart.RemoveAt(index);
            return true;
        }

        return _byStart.Remove(region);
    }

    private static bool Contains(RegionInfo region, ReadOnlySpan<byte> key) =>
        KeyBytes.Compare(region.StartKey, key) <= 0 && (region.EndKey.Length == 0 || KeyBytes.Compare(key, region.EndKey) < 0);

    /// <summary>Index of the last region whose start key is at or below <paramref name="key"/>; -1 when none.</summary>
    private int FloorIndex(ReadOnlySpan<byte> key)
    {
        int lo = 0, hi = _byStart.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (KeyBytes.Compare(_byStart[mid].StartKey, key) <= 0)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }
}
