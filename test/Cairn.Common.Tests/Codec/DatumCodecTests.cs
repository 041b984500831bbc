using System.Buffers;
using Cairn.Common.Codec;
using Cairn.Common.Keys;

namespace Cairn.Common.Tests.Codec;

public sealed class DatumCodecTests
{
    public static TheoryData<string, string> Vectors => new()
    {
        { "null", "00" },
        { "int:0", "038000000000000000" },
        { "int:-1", "037FFFFFFFFFFFFFFF" },
        { "uint:5", "040000000000000005" },
        { "float:1", "05BFF0000000000000" },
        { "float:-1", "05400FFFFFFFFFFFFF" },
        { "bytes:616263", "016162630000000000FA" },
        { "min", "01" },
        { "max", "FA" },
        { "duration:1000", "0780000000000003E8" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Encodes_known_vectors_and_decodes_them(string spec, string hex)
    {
        var datum = Parse(spec);
        var encoded = DatumCodec.EncodeKey(datum);
        Assert.Equal(hex, Convert.ToHexString(encoded));
        Assert.Equal(encoded.Length, DatumCodec.EncodedKeyLength(datum));
        Assert.Equal(encoded.Length, DatumCodec.Skip(encoded));
        Assert.Equal(datum, DatumCodec.DecodeOne(encoded, out var consumed));
        Assert.Equal(encoded.Length, consumed);
    }

    [Fact]
    public void Multi_column_keys_round_trip_and_skip()
    {
        Datum[] columns = [Datum.FromInt64(-42), Datum.FromString("hello, wide world"), Datum.Null, Datum.FromUInt64(7), Datum.FromFloat64(3.25)];
        var encoded = DatumCodec.EncodeKey(columns);
        Assert.Equal(columns, DatumCodec.DecodeAll(encoded));

        var offset = 0;
        for (var i = 0; i < columns.Length; i++)
        {
            offset += DatumCodec.Skip(encoded.AsSpan(offset));
        }

        Assert.Equal(encoded.Length, offset);

        var writer = new ArrayBufferWriter<byte>();
        DatumCodec.EncodeKey(writer, columns);
        Assert.Equal(encoded, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Value_flags_decode()
    {
        // compactBytes, varint and uvarint appear in values, not keys, but readers of index values meet them.
        Assert.Equal(Datum.FromBytes("ab"u8), DatumCodec.DecodeOne(Convert.FromHexString("02046162"), out var consumed));
        Assert.Equal(4, consumed);
        Assert.Equal(Datum.FromInt64(-3), DatumCodec.DecodeOne(Convert.FromHexString("0805"), out _));
        Assert.Equal(Datum.FromUInt64(300), DatumCodec.DecodeOne(Convert.FromHexString("09AC02"), out _));
    }

    [Fact]
    public void Decimal_is_kept_in_encoded_form()
    {
        // precision 5, frac 2: 3 integral digits (2 bytes) + 2 fractional digits (1 byte).
        var encoded = Convert.FromHexString("0605028001E2");
        Assert.Equal(6, DatumCodec.Skip(encoded));
        var datum = DatumCodec.DecodeOne(encoded, out var consumed);
        Assert.Equal(DatumKind.Decimal, datum.Kind);
        Assert.Equal(6, consumed);
        Assert.Equal(encoded, DatumCodec.EncodeKey(datum));
        Assert.Throws<CodecException>(() => DatumCodec.Skip(Convert.FromHexString("06050280")));
    }

    [Fact]
    public void Tuple_order_is_preserved()
    {
        var random = new Random(12);
        var rows = Enumerable.Range(0, 800).Select(_ => (
            A: random.Next(0, 4) == 0 ? (long?)null : random.NextInt64(-5, 5),
            B: random.Next(0, 3) == 0 ? string.Empty : new string((char)('a' + random.Next(0, 3)), random.Next(0, 12)))).ToList();

        static Datum A(long? a) => a is { } v ? Datum.FromInt64(v) : Datum.Null;
        var byEncoding = rows.OrderBy(r => DatumCodec.EncodeKey(A(r.A), Datum.FromString(r.B)), ByteKeyComparer.Instance).ToList();
        var byValue = rows.OrderBy(r => r.A.HasValue).ThenBy(r => r.A).ThenBy(r => r.B, StringComparer.Ordinal).ToList();
        Assert.Equal(byValue, byEncoding);
    }

    [Fact]
    public void Bounds_sort_around_values()
    {
        var nul = DatumCodec.EncodeKey(Datum.Null);
        var min = DatumCodec.EncodeKey(Datum.MinNotNull);
        var smallest = DatumCodec.EncodeKey(Datum.FromBytes(Array.Empty<byte>()));
        var integer = DatumCodec.EncodeKey(Datum.FromInt64(long.MinValue));
        var max = DatumCodec.EncodeKey(Datum.MaxValue);
        Assert.True(nul.AsSpan().SequenceCompareTo(min) < 0);
        Assert.True(min.AsSpan().SequenceCompareTo(smallest) < 0);
        Assert.True(smallest.AsSpan().SequenceCompareTo(integer) < 0);
        Assert.True(integer.AsSpan().SequenceCompareTo(max) < 0);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("0380", "8 bytes")]
    [InlineData("0161626300000000", "truncated")]
    [InlineData("0B00", "unsupported datum flag 0x0B")]
    [InlineData("0A00", "unsupported datum flag 0x0A")]
    public void Malformed_input_is_rejected(string hex, string reason)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Contains(reason, Assert.Throws<CodecException>(() => DatumCodec.DecodeOne(bytes, out _)).Message, StringComparison.Ordinal);
        Assert.Throws<CodecException>(() => DatumCodec.Skip(bytes));
    }

    [Fact]
    public void Accessors_check_the_kind()
    {
        Assert.Throws<InvalidOperationException>(() => Datum.FromUInt64(1).Int64);
        Assert.Throws<InvalidOperationException>(() => Datum.Null.Bytes.Length);
        Assert.Equal("NULL", Datum.Null.ToString());
        Assert.NotEqual(Datum.FromBytes("a"u8), Datum.FromBytes("b"u8));
        Assert.Equal(Datum.FromBytes("a"u8).GetHashCode(), Datum.FromString("a").GetHashCode());
    }

    private static Datum Parse(string spec)
    {
        var parts = spec.Split(':');
        return parts[0] switch
        {
            "null" => Datum.Null,
            "int" => Datum.FromInt64(long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)),
            "uint" => Datum.FromUInt64(ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)),
            "float" => Datum.FromFloat64(double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)),
            "bytes" => Datum.FromBytes(Convert.FromHexString(parts[1])),
            "duration" => Datum.FromDuration(long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)),
            "min" => Datum.MinNotNull,
            _ => Datum.MaxValue,
        };
    }
}
