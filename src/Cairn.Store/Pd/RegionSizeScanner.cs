using Cairn.Rpc.Metapb;
using Cairn.Store.Engine;
using Cairn.Store.Txn;

namespace Cairn.Store.Pd;

/// <summary>
/// Measures a region by scanning its data keys in every CF (as TiKV's split checkers do): bytes of keys and values,
/// and keys in the default and write CFs (the lock CF holds no committed data). A scan, rather than RocksDB's
/// approximate sizes, counts memtables too, so small, recent regions measure right; it costs a pass over the region
/// per check, which the check interval bounds. The split key is the user key in the middle of the write CF (or of
/// the default CF for a raw region, whose write CF is empty), so all versions of a user key stay in one region.
/// </summary>
internal static class RegionSizeScanner
{
    public static RegionSize Measure(StoreEngine engine, Region region)
    {
        var (lower, upper) = DataRange(region);
        ulong bytes = 0;
        ulong keys = 0;
        ulong writeKeys = 0;
        ulong defaultKeys = 0;
        foreach (var cf in new[] { engine.Default, engine.Write, engine.Lock })
        {
            using var it = engine.Db.NewIterator(cf, lower, upper);
            ulong n = 0;
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
                bytes += (ulong)(it.Key.Length + it.Value.Length);
                n++;
            }

            it.ThrowIfError();
            if (cf == engine.Write)
            {
                writeKeys = n;
            }
            else if (cf == engine.Default)
            {
                defaultKeys = n;
            }
        }

        keys = writeKeys + defaultKeys;
        return new RegionSize(bytes, keys, writeKeys, defaultKeys);
    }

    /// <summary>The region key (encoded for transactional data, raw for raw data) in the middle of the region's data, or null when it cannot be split.</summary>
    public static byte[]? FindSplitKey(StoreEngine engine, Region region, RegionSize size)
    {
        var (lower, upper) = DataRange(region);
        var raw = size.WriteKeys == 0;
        var cf = raw ? engine.Default : engine.Write;
        var total = raw ? size.DefaultKeys : size.WriteKeys;
        if (total < 2)
        {
            return null;
        }

        using var it = engine.Db.NewIterator(cf, lower, upper);
        ulong i = 0;
        byte[]? candidate = null;
        for (it.SeekToFirst(); it.Valid; it.Next(), i++)
        {
            var regionKey = raw ? it.Key[1..] : MvccKeys.UserKeyOfVersioned(it.Key);
            if (i < total / 2)
            {
                continue;
            }

            // Past the middle, the first user key that is not the region's start key: versions of one user key
            // sort together, so splitting at a user key never separates them.
            if (candidate is null || !regionKey.SequenceEqual(candidate))
            {
                if (!regionKey.SequenceEqual(region.StartKey.Span))
                {
                    return regionKey.ToArray();
                }

                candidate = regionKey.ToArray();
            }
        }

        it.ThrowIfError();
        return null;
    }

    /// <summary>The data-key bounds <c>[z + start, z + end)</c> of a region.</summary>
    public static (byte[] Lower, byte[] Upper) DataRange(Region region)
    {
        var lower = new byte[region.StartKey.Length + 1];
        lower[0] = LocalKeys.DataMin[0];
        region.StartKey.Span.CopyTo(lower.AsSpan(1));
        byte[] upper;
        if (region.EndKey.IsEmpty)
        {
            upper = LocalKeys.DataMax.ToArray();
        }
        else
        {
            upper = new byte[region.EndKey.Length + 1];
            upper[0] = LocalKeys.DataMin[0];
            region.EndKey.Span.CopyTo(upper.AsSpan(1));
        }

        return (lower, upper);
    }
}
