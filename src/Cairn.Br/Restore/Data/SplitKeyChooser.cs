namespace Cairn.Br.Restore.Data;

/// <summary>
/// Which split keys of one region are worth splitting at (br-spec §d.11, without BR's empty regions): a key at the
/// region's start needs no split, and a key is dropped when the piece it would cut off holds nothing, so every
/// region the splits leave holds data or was there before.
/// </summary>
internal static class SplitKeyChooser
{
    /// <summary>
    /// The keys (region key form, sorted, distinct, inside <c>[regionStart, regionEnd)</c>) to split the region at.
    /// <paramref name="isEmpty"/> says whether a piece <c>[a, b)</c> (empty b = unbounded) is known to hold no data.
    /// </summary>
    public static IReadOnlyList<byte[]> Choose(byte[] regionStart, byte[] regionEnd, IReadOnlyList<byte[]> keys, Func<byte[], byte[], bool> isEmpty)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(isEmpty);
        var kept = new List<byte[]>();
        var pieceStart = regionStart;
        foreach (var key in keys)
        {
            if (key.AsSpan().SequenceCompareTo(pieceStart) <= 0 || isEmpty(pieceStart, key))
            {
                // The piece before the key would be empty: let it stay with what follows.
                continue;
            }

            kept.Add(key);
            pieceStart = key;
        }

        if (kept.Count > 0 && isEmpty(pieceStart, regionEnd))
        {
            // The last piece would be empty: it stays with the piece before it.
            kept.RemoveAt(kept.Count - 1);
        }

        return kept;
    }
}
