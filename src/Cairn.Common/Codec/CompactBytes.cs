namespace Cairn.Common.Codec;

/// <summary>
/// Length-prefixed bytes (TiDB <c>EncodeCompactBytes</c>, TiKV <c>encode_compact_bytes</c>): the length as a zig-zag
/// varint followed by the bytes. Compact, but not order-preserving.
/// </summary>
public static class CompactBytes
{
    /// <summary>Length of the encoding of <paramref name="length"/> bytes.</summary>
    public static int EncodedLength(int length) => Varint.VarintLength(length) + length;

    /// <summary>Writes the encoding of <paramref name="source"/> and returns its length.</summary>
    public static int Encode(Span<byte> destination, ReadOnlySpan<byte> source)
    {
        var header = Varint.EncodeVarint(destination, source.Length);
        source.CopyTo(destination[header..]);
        return header + source.Length;
    }

    /// <summary>
    /// Reads the encoding at the start of <paramref name="source"/> and returns a view of its payload;
    /// <paramref name="consumed"/> receives the total length.
    /// </summary>
    /// <exception cref="CodecException">The length is negative or larger than the input.</exception>
    public static ReadOnlySpan<byte> Decode(ReadOnlySpan<byte> source, out int consumed)
    {
        var length = Varint.DecodeVarint(source, out var header);
        if (length < 0 || length > source.Length - header)
        {
            throw new CodecException($"compact bytes declare length {length} but only {source.Length - header} bytes follow");
        }

        consumed = header + (int)length;
        return source.Slice(header, (int)length);
    }
}
