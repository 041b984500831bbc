using System.Buffers;
using System.Runtime.CompilerServices;

namespace Cairn.Common.Codec;

/// <summary>
/// Variable-length integers in the layout of Go's <c>encoding/binary</c> (and TiKV's <c>encode_var_u64</c>):
/// unsigned LEB128, and zig-zag for signed values (TiDB <c>codec.EncodeVarint</c>). Not order-preserving.
/// </summary>
public static class Varint
{
    /// <summary>Longest encoding of a 64-bit value.</summary>
    public const int MaxLength = 10;

    /// <summary>Number of bytes <see cref="EncodeUvarint(Span{byte}, ulong)"/> writes for <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int UvarintLength(ulong value) => ((64 - System.Numerics.BitOperations.LeadingZeroCount(value | 1)) + 6) / 7;

    /// <summary>Number of bytes <see cref="EncodeVarint(Span{byte}, long)"/> writes for <paramref name="value"/>.</summary>
    public static int VarintLength(long value) => UvarintLength(ZigZag(value));

    /// <summary>Writes <paramref name="value"/> as unsigned LEB128 and returns the number of bytes written.</summary>
    /// <exception cref="ArgumentException">The destination is too small.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int EncodeUvarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            if ((uint)i >= (uint)destination.Length)
            {
                ThrowDestinationTooSmall();
            }

            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        if ((uint)i >= (uint)destination.Length)
        {
            ThrowDestinationTooSmall();
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Appends <paramref name="value"/> as unsigned LEB128 to <paramref name="writer"/>.</summary>
    public static void EncodeUvarint(IBufferWriter<byte> writer, ulong value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var written = EncodeUvarint(writer.GetSpan(MaxLength), value);
        writer.Advance(written);
    }

    /// <summary>Returns <paramref name="value"/> as unsigned LEB128.</summary>
    public static byte[] EncodeUvarint(ulong value)
    {
        var result = new byte[UvarintLength(value)];
        EncodeUvarint(result, value);
        return result;
    }

    /// <summary>Writes <paramref name="value"/> zig-zag encoded and returns the number of bytes written.</summary>
    public static int EncodeVarint(Span<byte> destination, long value) => EncodeUvarint(destination, ZigZag(value));

    /// <summary>Returns <paramref name="value"/> zig-zag encoded.</summary>
    public static byte[] EncodeVarint(long value) => EncodeUvarint(ZigZag(value));

    /// <summary>Reads an unsigned LEB128 value; <paramref name="consumed"/> receives its length.</summary>
    /// <exception cref="CodecException">The input is truncated or longer than 64 bits.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong DecodeUvarint(ReadOnlySpan<byte> source, out int consumed)
    {
        if (source.Length > 0 && source[0] < 0x80)
        {
            consumed = 1;
            return source[0];
        }

        return DecodeUvarintSlow(source, out consumed);
    }

    /// <summary>Tries to read an unsigned LEB128 value; returns false on truncated or overlong input.</summary>
    public static bool TryDecodeUvarint(ReadOnlySpan<byte> source, out ulong value, out int consumed)
    {
        ulong result = 0;
        var shift = 0;
        for (var i = 0; i < source.Length && i < MaxLength; i++)
        {
            var b = source[i];
            if (b < 0x80)
            {
                // The tenth byte may only contribute the single remaining bit.
                if (i == MaxLength - 1 && b > 1)
                {
                    break;
                }

                value = result | ((ulong)b << shift);
                consumed = i + 1;
                return true;
            }

            result |= (ulong)(b & 0x7F) << shift;
            shift += 7;
        }

        value = 0;
        consumed = 0;
        return false;
    }

    /// <summary>Reads a zig-zag encoded signed value; <paramref name="consumed"/> receives its length.</summary>
    /// <exception cref="CodecException">The input is truncated or longer than 64 bits.</exception>
    public static long DecodeVarint(ReadOnlySpan<byte> source, out int consumed) =>
        UnZigZag(DecodeUvarint(source, out consumed));

    /// <summary>Maps signed to unsigned so that small magnitudes get short encodings.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    /// <summary>Inverse of <see cref="ZigZag(long)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private static ulong DecodeUvarintSlow(ReadOnlySpan<byte> source, out int consumed)
    {
        if (!TryDecodeUvarint(source, out var value, out consumed))
        {
            throw new CodecException(source.Length < MaxLength && (source.IsEmpty || source[^1] >= 0x80)
                ? "varint is truncated"
                : "varint overflows 64 bits");
        }

        return value;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDestinationTooSmall() =>
        throw new ArgumentException("destination is too small for the varint", "destination");
}
