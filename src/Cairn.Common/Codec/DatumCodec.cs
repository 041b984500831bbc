using System.Buffers;

namespace Cairn.Common.Codec;

/// <summary>
/// TiDB's key encoding of datums (<c>codec.EncodeKey</c>): a flag byte (<see cref="DatumFlag"/>) followed by an
/// order-preserving payload, so that concatenated column encodings compare like the tuples of values.
/// </summary>
public static class DatumCodec
{
    private static ReadOnlySpan<byte> Dig2Bytes => [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];

    /// <summary>Length of the key encoding of <paramref name="datum"/>.</summary>
    public static int EncodedKeyLength(in Datum datum) => datum.Kind switch
    {
        DatumKind.Null or DatumKind.MinNotNull or DatumKind.MaxValue => 1,
        DatumKind.Int64 or DatumKind.UInt64 or DatumKind.Float64 or DatumKind.Duration => 1 + NumberCodec.Size,
        DatumKind.Bytes => 1 + MemComparable.EncodedLength(datum.Bytes.Length),
        _ => 1 + datum.Bytes.Length,
    };

    /// <summary>Length of the key encoding of all <paramref name="datums"/>.</summary>
    public static int EncodedKeyLength(ReadOnlySpan<Datum> datums)
    {
        var total = 0;
        foreach (ref readonly var datum in datums)
        {
            total += EncodedKeyLength(datum);
        }

        return total;
    }

    /// <summary>Writes the key encoding of <paramref name="datum"/> and returns its length.</summary>
    public static int EncodeKey(Span<byte> destination, in Datum datum)
    {
        switch (datum.Kind)
        {
            case DatumKind.Null:
                destination[0] = (byte)DatumFlag.Nil;
                return 1;
            case DatumKind.MinNotNull:
                destination[0] = (byte)DatumFlag.Bytes;
                return 1;
            case DatumKind.MaxValue:
                destination[0] = (byte)DatumFlag.Max;
                return 1;
            case DatumKind.Int64:
                return EncodeIntDatum(destination, datum.Int64);
            case DatumKind.UInt64:
                destination[0] = (byte)DatumFlag.Uint;
                NumberCodec.EncodeUint(destination[1..], datum.UInt64);
                return 1 + NumberCodec.Size;
            case DatumKind.Float64:
                destination[0] = (byte)DatumFlag.Float;
                NumberCodec.EncodeFloat(destination[1..], datum.Float64);
                return 1 + NumberCodec.Size;
            case DatumKind.Duration:
                destination[0] = (byte)DatumFlag.Duration;
                NumberCodec.EncodeInt(destination[1..], datum.Int64);
                return 1 + NumberCodec.Size;
            case DatumKind.Bytes:
                return EncodeBytesDatum(destination, datum.Bytes);
            default:
                destination[0] = (byte)DatumFlag.Decimal;
                datum.Bytes.CopyTo(destination[1..]);
                return 1 + datum.Bytes.Length;
        }
    }

    /// <summary>Writes the key encoding of every datum in order and returns the total length.</summary>
    public static int EncodeKey(Span<byte> destination, ReadOnlySpan<Datum> datums)
    {
        var offset = 0;
        foreach (ref readonly var datum in datums)
        {
            offset += EncodeKey(destination[offset..], datum);
        }

        return offset;
    }

    /// <summary>Returns the key encoding of <paramref name="datums"/>.</summary>
    public static byte[] EncodeKey(params ReadOnlySpan<Datum> datums)
    {
        var result = new byte[EncodedKeyLength(datums)];
        EncodeKey(result, datums);
        return result;
    }

    /// <summary>Appends the key encoding of <paramref name="datums"/> to <paramref name="writer"/>.</summary>
    public static void EncodeKey(IBufferWriter<byte> writer, params ReadOnlySpan<Datum> datums)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var length = EncodedKeyLength(datums);
        EncodeKey(writer.GetSpan(length), datums);
        writer.Advance(length);
    }

    /// <summary>Writes an int datum (flag 0x03 + comparable int64) without building a <see cref="Datum"/>.</summary>
    public static int EncodeIntDatum(Span<byte> destination, long value)
    {
        destination[0] = (byte)DatumFlag.Int;
        NumberCodec.EncodeInt(destination[1..], value);
        return 1 + NumberCodec.Size;
    }

    /// <summary>Writes a bytes datum (flag 0x01 + memcomparable bytes) without building a <see cref="Datum"/>.</summary>
    public static int EncodeBytesDatum(Span<byte> destination, ReadOnlySpan<byte> value)
    {
        destination[0] = (byte)DatumFlag.Bytes;
        return 1 + MemComparable.EncodeBytes(destination[1..], value);
    }

    /// <summary>Decodes the datum at the start of <paramref name="source"/>; <paramref name="consumed"/> receives its length.</summary>
    /// <exception cref="CodecException">The input is empty, truncated, malformed or has an unsupported flag.</exception>
    public static Datum DecodeOne(ReadOnlySpan<byte> source, out int consumed)
    {
        if (source.IsEmpty)
        {
            throw new CodecException("no datum to decode: input is empty");
        }

        var payload = source[1..];
        int length;
        Datum datum;
        switch ((DatumFlag)source[0])
        {
            case DatumFlag.Nil:
                consumed = 1;
                return Datum.Null;
            case DatumFlag.Max:
                consumed = 1;
                return Datum.MaxValue;
            case DatumFlag.Int:
                datum = Datum.FromInt64(NumberCodec.DecodeInt(payload));
                length = NumberCodec.Size;
                break;
            case DatumFlag.Uint:
                datum = Datum.FromUInt64(NumberCodec.DecodeUint(payload));
                length = NumberCodec.Size;
                break;
            case DatumFlag.Float:
                datum = Datum.FromFloat64(NumberCodec.DecodeFloat(payload));
                length = NumberCodec.Size;
                break;
            case DatumFlag.Duration:
                datum = Datum.FromDuration(NumberCodec.DecodeInt(payload));
                length = NumberCodec.Size;
                break;
            case DatumFlag.Bytes:
                // A bare 0x01 at the end of a key is the MinNotNull bound, not a string.
                if (payload.IsEmpty)
                {
                    consumed = 1;
                    return Datum.MinNotNull;
                }

                datum = Datum.FromBytes(MemComparable.DecodeBytes(payload, out length));
                break;
            case DatumFlag.CompactBytes:
                datum = Datum.FromBytes(CompactBytes.Decode(payload, out length));
                break;
            case DatumFlag.Varint:
                datum = Datum.FromInt64(Varint.DecodeVarint(payload, out length));
                break;
            case DatumFlag.Uvarint:
                datum = Datum.FromUInt64(Varint.DecodeUvarint(payload, out length));
                break;
            case DatumFlag.Decimal:
                length = DecimalEncodedLength(payload);
                datum = Datum.FromEncodedDecimal(payload[..length]);
                break;
            default:
                throw new CodecException($"unsupported datum flag 0x{source[0]:X2}");
        }

        consumed = 1 + length;
        return datum;
    }

    /// <summary>Decodes every datum in <paramref name="source"/>.</summary>
    /// <exception cref="CodecException">Some datum is malformed.</exception>
    public static Datum[] DecodeAll(ReadOnlySpan<byte> source)
    {
        var result = new List<Datum>();
        while (!source.IsEmpty)
        {
            result.Add(DecodeOne(source, out var consumed));
            source = source[consumed..];
        }

        return [.. result];
    }

    /// <summary>Length of the datum at the start of <paramref name="source"/>, found without decoding or allocating.</summary>
    /// <exception cref="CodecException">The datum is malformed or its flag unsupported.</exception>
    public static int Skip(ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty)
        {
            throw new CodecException("no datum to skip: input is empty");
        }

        var payload = source[1..];
        int length;
        switch ((DatumFlag)source[0])
        {
            case DatumFlag.Nil or DatumFlag.Max:
                return 1;
            case DatumFlag.Int or DatumFlag.Uint or DatumFlag.Float or DatumFlag.Duration:
                if (payload.Length < NumberCodec.Size)
                {
                    throw new CodecException($"datum 0x{source[0]:X2} needs 8 bytes, has {payload.Length}");
                }

                return 1 + NumberCodec.Size;
            case DatumFlag.Bytes:
                if (payload.IsEmpty)
                {
                    return 1;
                }

                MemComparable.GetDecodedLength(payload, out length);
                return 1 + length;
            case DatumFlag.CompactBytes:
                CompactBytes.Decode(payload, out length);
                return 1 + length;
            case DatumFlag.Varint or DatumFlag.Uvarint:
                Varint.DecodeUvarint(payload, out length);
                return 1 + length;
            case DatumFlag.Decimal:
                return 1 + DecimalEncodedLength(payload);
            default:
                throw new CodecException($"unsupported datum flag 0x{source[0]:X2}");
        }
    }

    /// <summary>
    /// Length of an encoded decimal (after its flag): precision byte, frac byte and the MySQL binary decimal, whose
    /// size follows from precision and frac (9 digits per 4-byte word, partial words by the digit table).
    /// </summary>
    /// <exception cref="CodecException">The header is missing or inconsistent, or the input is too short.</exception>
    public static int DecimalEncodedLength(ReadOnlySpan<byte> source)
    {
        if (source.Length < 2)
        {
            throw new CodecException("decimal datum is truncated: missing precision and frac");
        }

        int precision = source[0];
        int frac = source[1];
        if (frac > precision || precision == 0)
        {
            throw new CodecException($"decimal datum has invalid precision {precision} and frac {frac}");
        }

        var integral = precision - frac;
        var binSize = (integral / 9 * 4) + Dig2Bytes[integral % 9] + (frac / 9 * 4) + Dig2Bytes[frac % 9];
        if (source.Length < 2 + binSize)
        {
            throw new CodecException($"decimal datum is truncated: needs {2 + binSize} bytes, has {source.Length}");
        }

        return 2 + binSize;
    }
}
