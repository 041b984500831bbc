using System.Text;
using Cairn.Common.Hashing;

namespace Cairn.Common.Tests.Hashing;

public sealed class Crc64Tests
{
    [Theory]
    [InlineData("123456789", 0x995DC9BBDF1939FAUL)]
    [InlineData("hello world!", 0x8483C0FA32607D61UL)]
    [InlineData("", 0UL)]
    public void Known_vectors(string text, ulong expected)
    {
        var data = Encoding.ASCII.GetBytes(text);
        Assert.Equal(expected, Crc64.Compute(data));
        Assert.Equal(expected, Crc64.UpdateScalar(0, data));
        Assert.Equal(expected, Crc64Oracle.Compute(data));
    }

    [Fact]
    public void Table_matches_check_value()
    {
        Assert.Equal(0xB32E4CBE03A75F6FUL, Crc64.Table[1]);
        Assert.Equal(0UL, Crc64.Table[0]);
        Assert.Equal(256, Crc64.Table.Length);
    }

    [Fact]
    public void Update_composes_like_Go()
    {
        var a = "hello "u8.ToArray();
        var b = "world!"u8.ToArray();
        Assert.Equal(0x8483C0FA32607D61UL, Crc64.Update(Crc64.Update(0, a), b));
        Assert.Equal(0x8483C0FA32607D61UL, Crc64.Compute(a, b));
        Assert.Equal(Crc64.Compute(a), Crc64.Update(Crc64.Compute(a), []));
    }

    [Fact]
    public void Reflected_and_normal_polynomial_agree()
    {
        Assert.Equal(Crc64.ReflectedPolynomial, Crc64.FoldConstants.Reflect(Crc64.NormalPolynomial));
        Assert.Equal(0x8000000000000000UL, Crc64.FoldConstants.Reflect(1));
        Assert.Equal(0x0123456789ABCDEFUL, Crc64.FoldConstants.Reflect(Crc64.FoldConstants.Reflect(0x0123456789ABCDEFUL)));
    }

    [Fact]
    public void Folding_constants_are_residues_of_powers_of_x()
    {
        var c = Crc64.Constants;
        Assert.Equal(Reflect(PowMod(1087)), c.StrideHigh);
        Assert.Equal(Reflect(PowMod(1023)), c.StrideLow);
        Assert.Equal(Reflect(PowMod(2111)), c.WideStrideHigh);
        Assert.Equal(Reflect(PowMod(2047)), c.WideStrideLow);
        Assert.Equal(Reflect(PowMod(127)), c.X127);
        Assert.Equal(14, c.LaneMerge.Count);
        for (var j = 0; j < 7; j++)
        {
            var distance = 128 * (j + 1);
            Assert.Equal(Reflect(PowMod(distance + 63)), c.LaneMerge[2 * j]);
            Assert.Equal(Reflect(PowMod(distance - 1)), c.LaneMerge[(2 * j) + 1]);
        }

        // Small powers need no reduction, so the derivation must return the monomial itself.
        Assert.Equal(1UL << 63, Crc64.FoldConstants.XPowModP(63));
        Assert.Equal(Crc64.NormalPolynomial, Crc64.FoldConstants.XPowModP(64));
    }

    [Fact]
    public void Barrett_constant_is_the_quotient_of_x128_by_P()
    {
        // mu = x^64 + muLow and P = x^64 + P' give x^128 + mu * P = x^64 * (P' + muLow) + muLow * P';
        // mu is the quotient exactly when that remainder has degree below 64.
        var muLow = Crc64.FoldConstants.BarrettQuotientLow();
        Assert.Equal(Crc64.Constants.MuLow, Reflect(muLow));
        var remainder = ((UInt128)(Crc64.NormalPolynomial ^ muLow) << 64) ^ ClMul(muLow, Crc64.NormalPolynomial);
        Assert.Equal(0UL, (ulong)(remainder >> 64));
    }

    [Fact]
    public void Every_short_length_matches_the_table_path()
    {
        var data = RandomBytes(1200, seed: 1);
        for (var length = 0; length <= data.Length; length++)
        {
            var slice = data.AsSpan(0, length);
            Assert.Equal(Crc64.UpdateScalar(0, slice), Crc64.Compute(slice));
        }
    }

    [Theory]
    [InlineData(Crc64Path.Pclmul128)]
    [InlineData(Crc64Path.Pclmul512)]
    public void Vector_path_matches_table_path_on_random_lengths_and_splits(Crc64Path path)
    {
        if (!Crc64.IsSupported(path))
        {
            Assert.Throws<PlatformNotSupportedException>(() => Crc64.Update(0, new byte[512], path));
            return;
        }

        var random = new Random(42 + (int)path);
        var data = RandomBytes(10_000 + 64, seed: 2);
        for (var round = 0; round < 400; round++)
        {
            var length = random.Next(0, 10_001);
            var offset = random.Next(0, 64);
            var slice = data.AsSpan(offset, length);
            var expected = Crc64.UpdateScalar(0, slice);
            Assert.Equal(expected, Crc64.Update(0, slice, path));
            Assert.Equal(expected, Crc64.Compute(slice));

            var split = random.Next(0, length + 1);
            Assert.Equal(expected, Crc64.Update(Crc64.Update(0, slice[..split]), slice[split..]));
            Assert.Equal(expected, Crc64.Update(Crc64.Update(0, slice[..split], path), slice[split..], path));

            var seed = (ulong)random.NextInt64();
            Assert.Equal(Crc64.UpdateScalar(seed, slice), Crc64.Update(seed, slice, path));
        }
    }

    [Theory]
    [InlineData(Crc64Path.Table)]
    [InlineData(Crc64Path.Pclmul128)]
    [InlineData(Crc64Path.Pclmul512)]
    public void Every_length_around_the_step_sizes_matches_the_reference(Crc64Path path)
    {
        if (!Crc64.IsSupported(path))
        {
            return;
        }

        var data = RandomBytes(1100, seed: 6);
        for (var length = 0; length <= data.Length; length++)
        {
            Assert.Equal(Crc64Oracle.Compute(data.AsSpan(0, length)), Crc64.Update(0, data.AsSpan(0, length), path));
        }
    }

    [Fact]
    public void Preferred_path_is_supported()
    {
        Assert.True(Crc64.IsSupported(Crc64.PreferredPath));
        Assert.True(Crc64.IsSupported(Crc64Path.Table));
        Assert.Equal(Crc64.PreferredPath != Crc64Path.Table, Crc64.IsHardwareAccelerated);
    }

    [Fact]
    public void Unaligned_slices_give_the_same_CRC()
    {
        var payload = RandomBytes(4099, seed: 3);
        var expected = Crc64.UpdateScalar(0, payload);
        for (var offset = 0; offset < 32; offset++)
        {
            var buffer = new byte[payload.Length + 64];
            payload.CopyTo(buffer, offset);
            Assert.Equal(expected, Crc64.Compute(buffer.AsSpan(offset, payload.Length)));
        }
    }

    [Fact]
    public void Large_input_matches_bitwise_reference()
    {
        var data = RandomBytes(1 << 16, seed: 4);
        Assert.Equal(Crc64Oracle.Compute(data), Crc64.Compute(data));
    }

    [Fact]
    public void Flipping_one_bit_changes_the_CRC()
    {
        var data = RandomBytes(5000, seed: 5);
        var before = Crc64.Compute(data);
        data[3333] ^= 0x10;
        Assert.NotEqual(before, Crc64.Compute(data));
    }

    // x^n mod P by square-and-multiply, a different route from the shift loop the library uses.
    private static ulong PowMod(int n)
    {
        ulong result = 1;
        ulong power = 2; // x
        for (var e = n; e > 0; e >>= 1)
        {
            if ((e & 1) != 0)
            {
                result = MulMod(result, power);
            }

            power = MulMod(power, power);
        }

        return result;
    }

    private static ulong MulMod(ulong a, ulong b)
    {
        var product = ClMul(a, b);
        for (var bit = 127; bit >= 64; bit--)
        {
            if (((product >> bit) & 1) != 0)
            {
                product ^= ((UInt128)1 << bit) ^ ((UInt128)Crc64.NormalPolynomial << (bit - 64));
            }
        }

        return (ulong)product;
    }

    private static UInt128 ClMul(ulong a, ulong b)
    {
        UInt128 result = 0;
        for (var i = 0; i < 64; i++)
        {
            if (((b >> i) & 1) != 0)
            {
                result ^= (UInt128)a << i;
            }
        }

        return result;
    }

    private static ulong Reflect(ulong value)
    {
        ulong result = 0;
        for (var i = 0; i < 64; i++)
        {
            if (((value >> i) & 1) != 0)
            {
                result |= 1UL << (63 - i);
            }
        }

        return result;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
