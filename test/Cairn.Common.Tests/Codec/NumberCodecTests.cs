using Cairn.Common.Codec;
using Cairn.Common.Keys;

namespace Cairn.Common.Tests.Codec;

public sealed class NumberCodecTests
{
    [Theory]
    [InlineData(0L, "8000000000000000")]
    [InlineData(1L, "8000000000000001")]
    [InlineData(-1L, "7FFFFFFFFFFFFFFF")]
    [InlineData(long.MinValue, "0000000000000000")]
    [InlineData(long.MaxValue, "FFFFFFFFFFFFFFFF")]
    public void Int_vectors(long value, string hex)
    {
        Assert.Equal(hex, Convert.ToHexString(NumberCodec.EncodeInt(value)));
        Assert.Equal(value, NumberCodec.DecodeInt(Convert.FromHexString(hex)));
    }

    [Theory]
    [InlineData(0UL, "0000000000000000")]
    [InlineData(0x0102030405060708UL, "0102030405060708")]
    [InlineData(ulong.MaxValue, "FFFFFFFFFFFFFFFF")]
    public void Uint_vectors(ulong value, string hex)
    {
        Assert.Equal(hex, Convert.ToHexString(NumberCodec.EncodeUint(value)));
        Assert.Equal(value, NumberCodec.DecodeUint(Convert.FromHexString(hex)));
    }

    [Fact]
    public void Int_order_is_preserved()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 2000).Select(_ => random.NextInt64(long.MinValue, long.MaxValue))
            .Concat([long.MinValue, long.MaxValue, 0, -1, 1]).ToArray();
        var byBytes = values.OrderBy(v => NumberCodec.EncodeInt(v), ByteKeyComparer.Instance).ToArray();
        Assert.Equal(values.Order().ToArray(), byBytes);
    }

    [Fact]
    public void Uint_order_is_preserved()
    {
        var random = new Random(8);
        var values = Enumerable.Range(0, 2000).Select(_ => (ulong)random.NextInt64() * 3).Concat([0UL, ulong.MaxValue]).ToArray();
        var byBytes = values.OrderBy(v => NumberCodec.EncodeUint(v), ByteKeyComparer.Instance).ToArray();
        Assert.Equal(values.Order().ToArray(), byBytes);
    }

    [Fact]
    public void Float_order_is_preserved_and_round_trips()
    {
        double[] values = [double.NegativeInfinity, -1e300, -2.5, -1, -double.Epsilon, 0, double.Epsilon, 1, 2.5, 1e300, double.PositiveInfinity];
        var encoded = values.Select(v =>
        {
            var bytes = new byte[8];
            NumberCodec.EncodeFloat(bytes, v);
            return bytes;
        }).ToArray();
        for (var i = 1; i < encoded.Length; i++)
        {
            Assert.True(encoded[i - 1].AsSpan().SequenceCompareTo(encoded[i]) < 0, $"{values[i - 1]} < {values[i]}");
        }

        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i], NumberCodec.DecodeFloat(encoded[i]));
        }

        Assert.Equal(NumberCodec.FloatToComparable(0.0), NumberCodec.FloatToComparable(-0.0));
    }

    [Fact]
    public void Short_input_is_rejected()
    {
        var ex = Assert.Throws<CodecException>(() => NumberCodec.DecodeInt(new byte[7]));
        Assert.Contains("8 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Throws<CodecException>(() => NumberCodec.DecodeUint([]));
    }
}
