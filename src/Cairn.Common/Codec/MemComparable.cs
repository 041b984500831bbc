using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cairn.Common.Codec;

/// <summary>
/// TiDB/TiKV memcomparable byte strings (<c>codec.EncodeBytes</c>): the input is cut into 8-byte groups, each
/// written as 8 bytes (the last zero-padded) followed by the marker <c>0xFF - padCount</c>. A final group is always
/// written, so the encoding of a string whose length is a multiple of 8 ends with <c>00×8 F7</c>. Byte-wise order of
/// encodings equals byte-wise order of the inputs, and no encoding is a prefix of another.
/// </summary>
public static class MemComparable
{
    /// <summary>Bytes of payload per group.</summary>
    public const int GroupSize = 8;

    /// <summary>Marker of a full group that is followed by more groups.</summary>
    public const byte Marker = 0xFF;

    private const int EncodedGroupSize = GroupSize + 1;

    /// <summary>Length of the encoding of <paramref name="length"/> input bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int EncodedLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return ((length / GroupSize) + 1) * EncodedGroupSize;
    }

    /// <summary>Encodes <paramref name="source"/> into <paramref name="destination"/> and returns the length written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="EncodedLength(int)"/>.</exception>
    public static int EncodeBytes(Span<byte> destination, ReadOnlySpan<byte> source)
    {
        var total = EncodedLength(source.Length);
        if (destination.Length < total)
        {
            throw new ArgumentException($"destination needs {total} bytes, has {destination.Length}", nameof(destination));
        }

        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        var fullGroups = source.Length / GroupSize;
        nint s = 0;
        nint d = 0;
        for (var g = 0; g < fullGroups; g++)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, d), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, s)));
            Unsafe.Add(ref dst, d + GroupSize) = Marker;
            s += GroupSize;
            d += EncodedGroupSize;
        }

        var remaining = source.Length - (fullGroups * GroupSize);
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, d), 0UL);
        source.Slice((int)s, remaining).CopyTo(destination.Slice((int)d, remaining));
        Unsafe.Add(ref dst, d + GroupSize) = (byte)(Marker - (GroupSize - remaining));
        return total;
    }

    /// <summary>Returns the encoding of <paramref name="source"/>.</summary>
    public static byte[] EncodeBytes(ReadOnlySpan<byte> source)
    {
        var result = GC.AllocateUninitializedArray<byte>(EncodedLength(source.Length));
        EncodeBytes(result, source);
        return result;
    }

    /// <summary>Appends the encoding of <paramref name="source"/> to <paramref name="writer"/>.</summary>
    public static void EncodeBytes(IBufferWriter<byte> writer, ReadOnlySpan<byte> source)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var length = EncodedLength(source.Length);
        EncodeBytes(writer.GetSpan(length), source);
        writer.Advance(length);
    }

    /// <summary>
    /// The longest byte string that starts the encoding of every key beginning with <paramref name="prefix"/>: the
    /// encoded full groups of the prefix (without the terminating group) followed by its remaining bytes as they are.
    /// This is the "encoded prefix" form br sends in Download rewrite rules, since TiKV matches encoded keys.
    /// </summary>
    public static byte[] EncodePrefix(ReadOnlySpan<byte> prefix)
    {
        var fullGroups = prefix.Length / GroupSize;
        var remaining = prefix.Length - (fullGroups * GroupSize);
        var result = GC.AllocateUninitializedArray<byte>((fullGroups * EncodedGroupSize) + remaining);
        for (var g = 0; g < fullGroups; g++)
        {
            prefix.Slice(g * GroupSize, GroupSize).CopyTo(result.AsSpan(g * EncodedGroupSize));
            result[(g * EncodedGroupSize) + GroupSize] = Marker;
        }

        prefix[(fullGroups * GroupSize)..].CopyTo(result.AsSpan(fullGroups * EncodedGroupSize));
        return result;
    }

    /// <summary>
    /// Validates the encoding at the start of <paramref name="encoded"/> without copying it and returns the length of
    /// the decoded bytes; <paramref name="consumed"/> receives the length of the encoding. Bytes after it are ignored.
    /// </summary>
    /// <exception cref="CodecException">The encoding is truncated, has a bad marker or non-zero padding.</exception>
    public static int GetDecodedLength(ReadOnlySpan<byte> encoded, out int consumed)
    {
        var status = Scan(encoded, out var decodedLength, out consumed);
        if (status != ScanStatus.Ok)
        {
            Throw(status, consumed);
        }

        return decodedLength;
    }

    /// <summary>
    /// Decodes the encoding at the start of <paramref name="encoded"/> into <paramref name="destination"/> and returns
    /// the number of bytes written; <paramref name="consumed"/> receives the length of the encoding.
    /// </summary>
    /// <exception cref="CodecException">The encoding is malformed.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public static int DecodeBytes(ReadOnlySpan<byte> encoded, Span<byte> destination, out int consumed)
    {
        var length = GetDecodedLength(encoded, out consumed);
        if (destination.Length < length)
        {
            throw new ArgumentException($"destination needs {length} bytes, has {destination.Length}", nameof(destination));
        }

        CopyPayload(encoded, destination, length);
        return length;
    }

    /// <summary>Decodes the encoding at the start of <paramref name="encoded"/>; <paramref name="consumed"/> receives its length.</summary>
    /// <exception cref="CodecException">The encoding is malformed.</exception>
    public static byte[] DecodeBytes(ReadOnlySpan<byte> encoded, out int consumed)
    {
        var length = GetDecodedLength(encoded, out consumed);
        var result = GC.AllocateUninitializedArray<byte>(length);
        CopyPayload(encoded, result, length);
        return result;
    }

    /// <summary>Decodes <paramref name="encoded"/>, which must hold exactly one encoding and nothing after it.</summary>
    /// <exception cref="CodecException">The encoding is malformed or followed by extra bytes.</exception>
    public static byte[] DecodeBytes(ReadOnlySpan<byte> encoded)
    {
        var result = DecodeBytes(encoded, out var consumed);
        if (consumed != encoded.Length)
        {
            throw new CodecException($"{encoded.Length - consumed} unexpected bytes after a memcomparable encoding");
        }

        return result;
    }

    /// <summary>Appends the decoding of the encoding at the start of <paramref name="encoded"/> to <paramref name="writer"/>.</summary>
    /// <returns>The length of the encoding consumed.</returns>
    public static int DecodeBytes(ReadOnlySpan<byte> encoded, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var length = GetDecodedLength(encoded, out var consumed);
        CopyPayload(encoded, writer.GetSpan(length), length);
        writer.Advance(length);
        return consumed;
    }

    /// <summary>Tries to decode without throwing; false when the encoding is malformed or the destination too small.</summary>
    public static bool TryDecodeBytes(ReadOnlySpan<byte> encoded, Span<byte> destination, out int written, out int consumed)
    {
        if (Scan(encoded, out var length, out consumed) != ScanStatus.Ok || destination.Length < length)
        {
            written = 0;
            return false;
        }

        CopyPayload(encoded, destination, length);
        written = length;
        return true;
    }

    // Groups are already validated; every group but the last contributes 8 bytes and the last contributes the rest.
    private static void CopyPayload(ReadOnlySpan<byte> encoded, Span<byte> destination, int length)
    {
        ref var src = ref MemoryMarshal.GetReference(encoded);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        nint s = 0;
        nint d = 0;
        var left = length;
        while (left >= GroupSize)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, d), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, s)));
            s += EncodedGroupSize;
            d += GroupSize;
            left -= GroupSize;
        }

        encoded.Slice((int)s, left).CopyTo(destination.Slice((int)d, left));
    }

    private static ScanStatus Scan(ReadOnlySpan<byte> encoded, out int decodedLength, out int consumed)
    {
        ref var src = ref MemoryMarshal.GetReference(encoded);
        var offset = 0;
        var length = 0;
        while (true)
        {
            if (encoded.Length - offset < EncodedGroupSize)
            {
                decodedLength = 0;
                consumed = offset;
                return ScanStatus.Truncated;
            }

            var marker = Unsafe.Add(ref src, offset + GroupSize);
            var padCount = Marker - marker;
            if (padCount == 0)
            {
                offset += EncodedGroupSize;
                length += GroupSize;
                continue;
            }

            if (padCount > GroupSize)
            {
                decodedLength = 0;
                consumed = offset + GroupSize;
                return ScanStatus.BadMarker;
            }

            // The padding must be zero: otherwise two encodings could decode to the same bytes and order would break.
            var padding = encoded.Slice(offset + GroupSize - padCount, padCount);
            if (padding.ContainsAnyExcept((byte)0))
            {
                decodedLength = 0;
                consumed = offset;
                return ScanStatus.BadPadding;
            }

            decodedLength = length + GroupSize - padCount;
            consumed = offset + EncodedGroupSize;
            return ScanStatus.Ok;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(ScanStatus status, int offset) => throw status switch
    {
        ScanStatus.Truncated => new CodecException($"memcomparable bytes are truncated: group at offset {offset} is incomplete"),
        ScanStatus.BadMarker => new CodecException($"memcomparable bytes have an invalid marker at offset {offset}"),
        _ => new CodecException($"memcomparable bytes have non-zero padding in the group at offset {offset}"),
    };

    private enum ScanStatus
    {
        Ok,
        Truncated,
        BadMarker,
        BadPadding,
    }
}
