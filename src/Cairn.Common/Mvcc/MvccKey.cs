using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Cairn.Common.Codec;

namespace Cairn.Common.Mvcc;

/// <summary>
/// TiKV MVCC keys (br-spec §f.5). A raw user key becomes an <em>encoded key</em> (memcomparable bytes); write and
/// default CF keys append the timestamp as 8 big-endian bytes of its bitwise NOT, so newer versions of one user key
/// sort first; RocksDB keys carry the data prefix <c>z</c> (a <em>data key</em>), and the key without it is the
/// <em>origin key</em>. Lock CF keys and raw-KV keys have no timestamp.
/// </summary>
public static class MvccKey
{
    /// <summary>Prefix of every data key in RocksDB and backup SSTs.</summary>
    public const byte DataPrefix = (byte)'z';

    /// <summary>Width of the timestamp suffix.</summary>
    public const int TsLength = 8;

    /// <summary>Length of the encoded key (no prefix, no timestamp) of a raw key of <paramref name="rawLength"/> bytes.</summary>
    public static int EncodedKeyLength(int rawLength) => MemComparable.EncodedLength(rawLength);

    /// <summary>Length of a data key for a raw key of <paramref name="rawLength"/> bytes, with or without a timestamp.</summary>
    public static int DataKeyLength(int rawLength, bool withTs) =>
        1 + MemComparable.EncodedLength(rawLength) + (withTs ? TsLength : 0);

    /// <summary>The encoded key of <paramref name="rawKey"/>: its memcomparable bytes.</summary>
    public static byte[] EncodeKey(ReadOnlySpan<byte> rawKey) => MemComparable.EncodeBytes(rawKey);

    /// <summary>The encoded key of <paramref name="rawKey"/> with the timestamp appended (an origin key).</summary>
    public static byte[] EncodeKey(ReadOnlySpan<byte> rawKey, ulong ts)
    {
        var result = GC.AllocateUninitializedArray<byte>(MemComparable.EncodedLength(rawKey.Length) + TsLength);
        var written = MemComparable.EncodeBytes(result, rawKey);
        WriteTs(result.AsSpan(written), ts);
        return result;
    }

    /// <summary>Writes <c>z + EncodeBytes(rawKey) + ~ts</c> and returns its length.</summary>
    public static int WriteDataKey(Span<byte> destination, ReadOnlySpan<byte> rawKey, ulong ts)
    {
        var written = WriteDataKey(destination, rawKey);
        WriteTs(destination[written..], ts);
        return written + TsLength;
    }

    /// <summary>Writes <c>z + EncodeBytes(rawKey)</c> (lock CF key) and returns its length.</summary>
    public static int WriteDataKey(Span<byte> destination, ReadOnlySpan<byte> rawKey)
    {
        destination[0] = DataPrefix;
        return 1 + MemComparable.EncodeBytes(destination[1..], rawKey);
    }

    /// <summary>Returns the write/default CF data key <c>z + EncodeBytes(rawKey) + ~ts</c>.</summary>
    public static byte[] DataKey(ReadOnlySpan<byte> rawKey, ulong ts)
    {
        var result = GC.AllocateUninitializedArray<byte>(DataKeyLength(rawKey.Length, withTs: true));
        WriteDataKey(result, rawKey, ts);
        return result;
    }

    /// <summary>Returns the lock CF data key <c>z + EncodeBytes(rawKey)</c>.</summary>
    public static byte[] DataKey(ReadOnlySpan<byte> rawKey)
    {
        var result = GC.AllocateUninitializedArray<byte>(DataKeyLength(rawKey.Length, withTs: false));
        WriteDataKey(result, rawKey);
        return result;
    }

    /// <summary>Appends the write/default CF data key to <paramref name="writer"/>.</summary>
    public static void WriteDataKey(IBufferWriter<byte> writer, ReadOnlySpan<byte> rawKey, ulong ts)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var length = DataKeyLength(rawKey.Length, withTs: true);
        WriteDataKey(writer.GetSpan(length), rawKey, ts);
        writer.Advance(length);
    }

    /// <summary>Returns <c>z</c> + <paramref name="originKey"/> (an encoded key, with or without timestamp).</summary>
    public static byte[] ToDataKey(ReadOnlySpan<byte> originKey)
    {
        var result = GC.AllocateUninitializedArray<byte>(originKey.Length + 1);
        result[0] = DataPrefix;
        originKey.CopyTo(result.AsSpan(1));
        return result;
    }

    /// <summary>The origin key inside a data key: the key without its <c>z</c>.</summary>
    /// <exception cref="CodecException">The key does not start with <c>z</c>.</exception>
    public static ReadOnlySpan<byte> ToOriginKey(ReadOnlySpan<byte> dataKey)
    {
        if (dataKey.IsEmpty || dataKey[0] != DataPrefix)
        {
            throw new CodecException("data key does not start with 'z'");
        }

        return dataKey[1..];
    }

    /// <summary>
    /// The RocksDB key of a raw-KV (API v1) entry: <c>z</c> + the raw key as it is, neither memcomparable-encoded nor
    /// timestamped; raw-KV region boundaries are raw keys too.
    /// </summary>
    public static byte[] RawKvDataKey(ReadOnlySpan<byte> rawKey) => ToDataKey(rawKey);

    /// <summary>The raw key of a raw-KV (API v1) data key: the key without its <c>z</c>.</summary>
    /// <exception cref="CodecException">The key does not start with <c>z</c>.</exception>
    public static ReadOnlySpan<byte> DecodeRawKvDataKey(ReadOnlySpan<byte> dataKey) => ToOriginKey(dataKey);

    /// <summary>Writes the timestamp suffix: 8 big-endian bytes of <c>~ts</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteTs(Span<byte> destination, ulong ts) => BinaryPrimitives.WriteUInt64BigEndian(destination, ~ts);

    /// <summary>Reads the timestamp from the last 8 bytes of a key with timestamp.</summary>
    /// <exception cref="CodecException">The key is shorter than 8 bytes.</exception>
    public static ulong DecodeTs(ReadOnlySpan<byte> keyWithTs)
    {
        if (keyWithTs.Length < TsLength)
        {
            throw new CodecException($"key of {keyWithTs.Length} bytes is too short to carry a timestamp");
        }

        return ~BinaryPrimitives.ReadUInt64BigEndian(keyWithTs[^TsLength..]);
    }

    /// <summary>Splits a key with timestamp (origin or data key) into the part before the timestamp and the timestamp.</summary>
    /// <exception cref="CodecException">The key is shorter than 8 bytes.</exception>
    public static ReadOnlySpan<byte> SplitTs(ReadOnlySpan<byte> keyWithTs, out ulong ts)
    {
        ts = DecodeTs(keyWithTs);
        return keyWithTs[..^TsLength];
    }

    /// <summary>Decodes an encoded key (no prefix, no timestamp) back to the raw key.</summary>
    /// <exception cref="CodecException">The key is not exactly one memcomparable encoding.</exception>
    public static byte[] DecodeKey(ReadOnlySpan<byte> encodedKey) => MemComparable.DecodeBytes(encodedKey);

    /// <summary>Decodes an origin key with timestamp into raw key and timestamp.</summary>
    /// <exception cref="CodecException">The key is malformed.</exception>
    public static byte[] DecodeKey(ReadOnlySpan<byte> encodedKeyWithTs, out ulong ts) =>
        MemComparable.DecodeBytes(SplitTs(encodedKeyWithTs, out ts));

    /// <summary>Decodes a write/default CF data key (<c>z + enc + ~ts</c>) into raw key and timestamp.</summary>
    /// <exception cref="CodecException">The key is malformed.</exception>
    public static byte[] DecodeDataKey(ReadOnlySpan<byte> dataKey, out ulong ts) => DecodeKey(ToOriginKey(dataKey), out ts);

    /// <summary>Decodes a lock CF data key (<c>z + enc</c>) into the raw key.</summary>
    /// <exception cref="CodecException">The key is malformed.</exception>
    public static byte[] DecodeDataKey(ReadOnlySpan<byte> dataKey) => DecodeKey(ToOriginKey(dataKey));

    /// <summary>
    /// Decodes the raw key of a write/default CF data key into <paramref name="destination"/> without allocating;
    /// returns the raw length.
    /// </summary>
    /// <exception cref="CodecException">The key is malformed.</exception>
    public static int DecodeDataKey(ReadOnlySpan<byte> dataKey, Span<byte> destination, out ulong ts)
    {
        var encoded = SplitTs(ToOriginKey(dataKey), out ts);
        var written = MemComparable.DecodeBytes(encoded, destination, out var consumed);
        if (consumed != encoded.Length)
        {
            throw new CodecException($"{encoded.Length - consumed} unexpected bytes between the encoded key and its timestamp");
        }

        return written;
    }
}
