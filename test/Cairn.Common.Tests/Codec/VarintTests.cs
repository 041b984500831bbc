using Cairn.Common.Codec;

namespace Cairn.Common.Tests.Codec;

public sealed class VarintTests
{
    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(1UL, "01")]
    [InlineData(127UL, "7F")]
    [InlineData(128UL, "8001")]
    [InlineData(300UL, "AC02")]
    [InlineData(ulong.MaxValue, "FFFFFFFFFFFFFFFFFF01")]
    public void Uvarint_vectors(ulong value, string hex)
    {
        Assert.Equal(hex, Convert.ToHexString(Varint.EncodeUvarint(value)));
        Assert.Equal(hex.Length / 2, Varint.UvarintLength(value));
        Assert.Equal(value, Varint.DecodeUvarint(Convert.FromHexString(hex), out var consumed));
        Assert.Equal(hex.Length / 2, consumed);
    }

    [Theory]
    [InlineData(0L, "00")]
    [InlineData(-1L, "01")]
    [InlineData(1L, "02")]
    [InlineData(-64L, "7F")]
    [InlineData(64L, "8001")]
    [InlineData(long.MinValue, "FFFFFFFFFFFFFFFFFF01")]
    public void Zig_zag_vectors(long value, string hex)
    {
        Assert.Equal(hex, Convert.ToHexString(Varint.EncodeVarint(value)));
        Assert.Equal(hex.Length / 2, Varint.VarintLength(value));
        Assert.Equal(value, Varint.DecodeVarint(Convert.FromHexString(hex), out _));
    }

    [Fact]
    public void Round_trips_random_values()
    {
        var random = new Random(9);
        Span<byte> buffer = stackalloc byte[Varint.MaxLength + 3];
        for (var i = 0; i < 5000; i++)
        {
            var value = (ulong)random.NextInt64() >> random.Next(0, 64);
            var written = Varint.EncodeUvarint(buffer, value);
            Assert.Equal(Varint.UvarintLength(value), written);
            Assert.Equal(value, Varint.DecodeUvarint(buffer, out var consumed));
            Assert.Equal(written, consumed);

            var signed = random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(0, 64);
            written = Varint.EncodeVarint(buffer, signed);
            Assert.Equal(signed, Varint.DecodeVarint(buffer[..written], out _));
        }
    }

    [Fact]
    public void Truncated_and_overlong_inputs_are_rejected()
    {
        Assert.Contains("truncated", Assert.Throws<CodecException>(() => Varint.DecodeUvarint([0x80, 0x80], out _)).Message, StringComparison.Ordinal);
        Assert.Throws<CodecException>(() => Varint.DecodeUvarint([], out _));
        Assert.Contains("overflows", Assert.Throws<CodecException>(() => Varint.DecodeUvarint(Convert.FromHexString("FFFFFFFFFFFFFFFFFF02"), out _)).Message, StringComparison.Ordinal);
        Assert.Throws<CodecException>(() => Varint.DecodeUvarint(Convert.FromHexString("8080808080808080808001"), out _));
        Assert.False(Varint.TryDecodeUvarint([0xFF], out _, out _));
    }

    [Fact]
    public void Too_small_destination_is_rejected()
    {
        var buffer = new byte[1];
        Assert.Throws<ArgumentException>(() => Varint.EncodeUvarint(buffer, 300));
    }
}
