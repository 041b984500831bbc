using Cairn.Common.Mvcc;

namespace Cairn.Store.Txn;

/// <summary>RocksDB keys of the transactional layout, built from an encoded (memcomparable) user key.</summary>
internal static class MvccKeys
{
    /// <summary><c>z + encoded</c>: the lock CF key.</summary>
    public static byte[] Lock(ReadOnlySpan<byte> encoded)
    {
        var key = GC.AllocateUninitializedArray<byte>(1 + encoded.Length);
        key[0] = MvccKey.DataPrefix;
        encoded.CopyTo(key.AsSpan(1));
        return key;
    }

    /// <summary><c>z + encoded + ~ts</c>: the write/default CF key.</summary>
    public static byte[] Versioned(ReadOnlySpan<byte> encoded, ulong ts)
    {
        var key = GC.AllocateUninitializedArray<byte>(1 + encoded.Length + MvccKey.TsLength);
        key[0] = MvccKey.DataPrefix;
        encoded.CopyTo(key.AsSpan(1));
        MvccKey.WriteTs(key.AsSpan(1 + encoded.Length), ts);
        return key;
    }

    /// <summary>Whether a write/default CF data key belongs to <paramref name="encoded"/>.</summary>
    public static bool IsVersionOf(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> encoded) =>
        dataKey.Length == 1 + encoded.Length + MvccKey.TsLength && dataKey.Slice(1, encoded.Length).SequenceEqual(encoded);

    /// <summary>The encoded user key inside a write/default CF data key.</summary>
    public static ReadOnlySpan<byte> UserKeyOfVersioned(ReadOnlySpan<byte> dataKey) => dataKey[1..^MvccKey.TsLength];

    /// <summary>The encoded user key inside a lock CF data key.</summary>
    public static ReadOnlySpan<byte> UserKeyOfLock(ReadOnlySpan<byte> dataKey) => dataKey[1..];

    /// <summary>The data-key range <c>[z + start, z + end)</c> of encoded bounds (empty end = end of data).</summary>
    public static (byte[] Lower, byte[] Upper) DataRange(ReadOnlySpan<byte> encodedStart, ReadOnlySpan<byte> encodedEnd) =>
        (Lock(encodedStart), encodedEnd.IsEmpty ? "{"u8.ToArray() : Lock(encodedEnd));
}
