using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Cairn.Common.Codec;

/// <summary>
/// Fixed-width, order-preserving encodings of 64-bit numbers (TiDB <c>codec.EncodeInt</c>, <c>EncodeUint</c>,
/// <c>EncodeFloat</c>): the byte-wise comparison of two encodings equals the numeric comparison of the values.
/// </summary>
public static class NumberCodec
{
    /// <summary>Width of every encoding in this class.</summary>
    public const int Size = 8;

    private const ulong SignMask = 0x8000_0000_0000_0000UL;

    /// <summary>Writes <paramref name="value"/> as 8 big-endian bytes of <c>uint64(v) ^ 0x8000000000000000</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void EncodeInt(Span<byte> destination, long value) =>
        BinaryPrimitives.WriteUInt64BigEndian(destination, (ulong)value ^ SignMask);

    /// <summary>Returns the comparable encoding of <paramref name="value"/>.</summary>
    public static byte[] EncodeInt(long value)
    {
        var result = new byte[Size];
        EncodeInt(result, value);
        return result;
    }

    /// <summary>Reads a comparable int64 from the first 8 bytes of <paramref name="source"/>.</summary>
    /// <exception cref="CodecException">Fewer than 8 bytes are available.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long DecodeInt(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            ThrowTooShort(source.Length);
        }

        return (long)(BinaryPrimitives.ReadUInt64BigEndian(source) ^ SignMask);
    }

    /// <summary>Writes <paramref name="value"/> as 8 big-endian bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void EncodeUint(Span<byte> destination, ulong value) =>
        BinaryPrimitives.WriteUInt64BigEndian(destination, value);

    /// <summary>Returns the big-endian encoding of <paramref name="value"/>.</summary>
    public static byte[] EncodeUint(ulong value)
    {
        var result = new byte[Size];
        EncodeUint(result, value);
        return result;
    }

    /// <summary>Reads a big-endian uint64 from the first 8 bytes of <paramref name="source"/>.</summary>
    /// <exception cref="CodecException">Fewer than 8 bytes are available.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong DecodeUint(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            ThrowTooShort(source.Length);
        }

        return BinaryPrimitives.ReadUInt64BigEndian(source);
    }

    /// <summary>
    /// Writes a comparable float64: non-negative values get the sign bit set, negative values have every bit
    /// flipped, so that larger numbers give larger byte strings. -0.0 encodes like +0.0, as in TiDB.
    /// </summary>
    public static void EncodeFloat(Span<byte> destination, double value) =>
        BinaryPrimitives.WriteUInt64BigEndian(destination, FloatToComparable(value));

    /// <summary>Reads a comparable float64 written by <see cref="EncodeFloat(Span{byte}, double)"/>.</summary>
    /// <exception cref="CodecException">Fewer than 8 bytes are available.</exception>
    public static double DecodeFloat(ReadOnlySpan<byte> source) => ComparableToFloat(DecodeUint(source));

    /// <summary>Maps a double to the unsigned integer whose order matches the order of doubles.</summary>
    public static ulong FloatToComparable(double value)
    {
        var bits = BitConverter.DoubleToUInt64Bits(value);
        return value >= 0 ? bits | SignMask : ~bits;
    }

    /// <summary>Inverse of <see cref="FloatToComparable(double)"/>.</summary>
    public static double ComparableToFloat(ulong comparable)
    {
        var bits = (comparable & SignMask) != 0 ? comparable & ~SignMask : ~comparable;
        return BitConverter.UInt64BitsToDouble(bits);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTooShort(int length) =>
        throw new CodecException($"need {Size} bytes to decode a 64-bit number, have {length}");
}
