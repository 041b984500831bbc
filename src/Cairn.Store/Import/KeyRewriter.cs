using Cairn.Common.Mvcc;

namespace Cairn.Store.Import;

/// <summary>
/// Applies one <c>import_sstpb.RewriteRule</c> to origin keys (data keys without <c>z</c>) as TiKV's legacy
/// download does: the old prefix is compared with and replaced on the <b>encoded</b> key bytes (memcomparable, ts
/// included), and with a non-zero new timestamp the 8-byte ts suffix of every key, and the start_ts of every
/// write record, become that timestamp (br-spec-2 §2 step 5). Empty prefixes leave keys as they are (raw restores).
/// </summary>
internal sealed class KeyRewriter
{
    private readonly byte[] _oldPrefix;
    private readonly byte[] _newPrefix;
    private readonly ulong _newTs;
    private byte[] _buffer = new byte[256];

    /// <summary>Creates a rewriter for one rule.</summary>
    public KeyRewriter(ReadOnlySpan<byte> oldPrefix, ReadOnlySpan<byte> newPrefix, ulong newTimestamp)
    {
        _oldPrefix = oldPrefix.ToArray();
        _newPrefix = newPrefix.ToArray();
        _newTs = newTimestamp;
    }

    /// <summary>The old prefix.</summary>
    public ReadOnlySpan<byte> OldPrefix => _oldPrefix;

    /// <summary>Whether the rule changes timestamps.</summary>
    public bool RewritesTimestamps => _newTs != 0;

    /// <summary>
    /// Maps a bound of the requested range (new key space) back to the old one: it must start with the new prefix,
    /// except an exclusive end equal to the key right after the new prefix, which maps to the key right after the
    /// old one (TiKV's keys/rewrite.rs). Empty stays empty (unbounded). Null when the bound has the wrong prefix.
    /// </summary>
    public byte[]? MapBoundToOld(ReadOnlySpan<byte> bound, bool isExclusiveEnd)
    {
        if (bound.IsEmpty)
        {
            return [];
        }

        if (bound.StartsWith(_newPrefix))
        {
            return [.. _oldPrefix, .. bound[_newPrefix.Length..]];
        }

        if (isExclusiveEnd && _newPrefix.Length > 0 && NextKey(_newPrefix) is { } next && bound.SequenceEqual(next))
        {
            return NextKey(_oldPrefix) ?? [];
        }

        return null;
    }

    /// <summary>
    /// Rewrites <paramref name="originKey"/> into a data key (<c>z</c> + the new origin key); the result is valid
    /// until the next call. False when the key does not start with the old prefix, or carries no ts to replace.
    /// </summary>
    public bool TryRewriteToDataKey(ReadOnlySpan<byte> originKey, out ReadOnlySpan<byte> dataKey)
    {
        dataKey = default;
        if (!originKey.StartsWith(_oldPrefix) || (_newTs != 0 && originKey.Length - _oldPrefix.Length < MvccKey.TsLength))
        {
            return false;
        }

        var rest = originKey[_oldPrefix.Length..];
        var length = 1 + _newPrefix.Length + rest.Length;
        if (_buffer.Length < length)
        {
            _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        }

        _buffer[0] = MvccKey.DataPrefix;
        _newPrefix.CopyTo(_buffer, 1);
        rest.CopyTo(_buffer.AsSpan(1 + _newPrefix.Length));
        if (_newTs != 0)
        {
            MvccKey.WriteTs(_buffer.AsSpan(length - MvccKey.TsLength, MvccKey.TsLength), _newTs);
        }

        dataKey = _buffer.AsSpan(0, length);
        return true;
    }

    /// <summary>The value to store for a write-CF record: unchanged unless timestamps are rewritten, then with start_ts replaced.</summary>
    public ReadOnlySpan<byte> RewriteWriteValue(ReadOnlySpan<byte> value) =>
        _newTs == 0 ? value : (WriteRecord.Decode(value) with { StartTs = _newTs }).ToBytes();

    // The smallest key greater than every key with this prefix: the prefix with its last non-0xFF byte incremented
    // and what follows dropped; null when there is none (all 0xFF).
    private static byte[]? NextKey(ReadOnlySpan<byte> prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] != 0xFF)
            {
                var next = prefix[..(i + 1)].ToArray();
                next[i]++;
                return next;
            }
        }

        return null;
    }
}
