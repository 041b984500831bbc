using System.Buffers;
using Cairn.Common.Codec;
using Cairn.Common.Keys;

namespace Cairn.Common.Tests.Codec;

public sealed class MemComparableTests
{
    [Theory]
    [InlineData("", "0000000000000000F7")]
    [InlineData("010203", "0102030000000000FA")]
    [InlineData("0102030405060708", "0102030405060708FF0000000000000000F7")]
    [InlineData("010203040506070809", "0102030405060708FF0900000000000000F8")]
    [InlineData("00", "0000000000000000F8")]
    [InlineData("FFFFFFFFFFFFFF", "FFFFFFFFFFFFFF00FE")]
    public void Known_vectors_encode_and_decode(string rawHex, string encodedHex)
    {
        var raw = Convert.FromHexString(rawHex);
        var encoded = MemComparable.EncodeBytes(raw);
        Assert.Equal(encodedHex, Convert.ToHexString(encoded));
        Assert.Equal(encoded.Length, MemComparable.EncodedLength(raw.Length));
        Assert.Equal(raw, MemComparable.DecodeBytes(encoded));
    }

    [Fact]
    public void Round_trips_every_length_with_trailing_bytes()
    {
        var random = new Random(10);
        for (var length = 0; length < 100; length++)
        {
            var raw = new byte[length];
            random.NextBytes(raw);
            var encoded = MemComparable.EncodeBytes(raw);
            var withTail = encoded.Concat(new byte[] { 0xAA, 0xBB }).ToArray();

            Assert.Equal(raw, MemComparable.DecodeBytes(withTail, out var consumed));
            Assert.Equal(encoded.Length, consumed);
            Assert.Equal(length, MemComparable.GetDecodedLength(withTail, out consumed));
            Assert.Equal(encoded.Length, consumed);

            var destination = new byte[length];
            Assert.Equal(length, MemComparable.DecodeBytes(withTail, destination, out _));
            Assert.Equal(raw, destination);
            Assert.True(MemComparable.TryDecodeBytes(withTail, destination, out var written, out _));
            Assert.Equal(length, written);
        }
    }

    [Fact]
    public void Buffer_writer_overloads_match_array_overloads()
    {
        var raw = "a key longer than eight bytes"u8.ToArray();
        var writer = new ArrayBufferWriter<byte>();
        MemComparable.EncodeBytes(writer, raw);
        Assert.Equal(MemComparable.EncodeBytes(raw), writer.WrittenSpan.ToArray());

        var decoded = new ArrayBufferWriter<byte>();
        Assert.Equal(writer.WrittenCount, MemComparable.DecodeBytes(writer.WrittenSpan, decoded));
        Assert.Equal(raw, decoded.WrittenSpan.ToArray());
    }

    [Fact]
    public void Encoded_order_equals_raw_order()
    {
        var random = new Random(11);
        var keys = new List<byte[]> { Array.Empty<byte>(), new byte[] { 0 }, new byte[8], new byte[9], new byte[] { 0xFF } };
        for (var i = 0; i < 1500; i++)
        {
            // Small alphabets make shared prefixes and zero bytes common, which is where orderings break.
            var key = new byte[random.Next(0, 20)];
            for (var j = 0; j < key.Length; j++)
            {
                key[j] = (byte)random.Next(0, 3) switch { 0 => 0, 1 => 0xFF, _ => (byte)random.Next(256) };
            }

            keys.Add(key);
        }

        var expected = keys.Order(ByteKeyComparer.Instance).ToArray();
        var actual = keys.Select(k => MemComparable.EncodeBytes(k)).Order(ByteKeyComparer.Instance)
            .Select(e => MemComparable.DecodeBytes(e)).ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Prefix_of_a_key_encodes_below_it_and_is_not_a_prefix_of_its_encoding()
    {
        var key = "abcdefgh"u8.ToArray();
        var shorter = MemComparable.EncodeBytes(key.AsSpan(0, 7));
        var full = MemComparable.EncodeBytes(key);
        Assert.True(shorter.AsSpan().SequenceCompareTo(full) < 0);
        Assert.False(full.AsSpan().StartsWith(shorter));
    }

    [Fact]
    public void Encoded_prefix_starts_the_encoding_of_every_extension()
    {
        var random = new Random(14);
        for (var length = 0; length < 30; length++)
        {
            var prefix = new byte[length];
            random.NextBytes(prefix);
            var encodedPrefix = MemComparable.EncodePrefix(prefix);
            Assert.Equal(length / 8 * 9 + length % 8, encodedPrefix.Length);
            for (var extra = 0; extra < 12; extra++)
            {
                var key = prefix.Concat(Enumerable.Range(0, extra).Select(_ => (byte)random.Next(256))).ToArray();
                Assert.True(MemComparable.EncodeBytes(key).AsSpan().StartsWith(encodedPrefix), $"prefix {length}, extra {extra}");
            }
        }

        // t{id}_r is 11 bytes: one full group (t + 7 id bytes), then the last id byte and "_r" as they are.
        var recordPrefix = Cairn.Common.Keys.TableCodec.RecordPrefix(1);
        Assert.Equal("7480000000000000FF015F72", Convert.ToHexString(MemComparable.EncodePrefix(recordPrefix)));
    }

    [Theory]
    [InlineData("", "truncated")]
    [InlineData("00000000000000", "truncated")]
    [InlineData("0102030405060708FF", "truncated")]
    [InlineData("0000000000000000F6", "marker")]
    [InlineData("0000000000000000E0", "marker")]
    [InlineData("0102030000000001FA", "padding")]
    [InlineData("0102030405060708F7", "padding")]
    public void Malformed_input_is_rejected(string hex, string reason)
    {
        var encoded = Convert.FromHexString(hex);
        var ex = Assert.Throws<CodecException>(() => MemComparable.DecodeBytes(encoded, out _));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.False(MemComparable.TryDecodeBytes(encoded, new byte[64], out _, out _));
    }

    [Fact]
    public void Trailing_bytes_are_rejected_by_the_exact_overload()
    {
        var encoded = MemComparable.EncodeBytes("x"u8).Concat(new byte[] { 1 }).ToArray();
        Assert.Throws<CodecException>(() => MemComparable.DecodeBytes(encoded));
    }

    [Fact]
    public void Small_destination_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => MemComparable.EncodeBytes(new byte[8], "abc"u8));
        var encoded = MemComparable.EncodeBytes("abcdefghij"u8);
        Assert.Throws<ArgumentException>(() => MemComparable.DecodeBytes(encoded, new byte[9], out _));
        Assert.False(MemComparable.TryDecodeBytes(encoded, new byte[9], out _, out _));
    }
}
