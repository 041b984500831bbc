using System.Security.Cryptography;
using Cairn.Common.Crypto;

namespace Cairn.Common.Tests.Crypto;

/// <summary>AES-CTR against the known answers of NIST SP 800-38A (F.5.1, F.5.3, F.5.5), and its streaming behaviour.</summary>
public sealed class AesCtrTests
{
    private const string Counter = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

    private const string Plaintext =
        "6bc1bee22e409f96e93d7e117393172a" + "ae2d8a571e03ac9c9eb76fac45af8e51" +
        "30c81c46a35ce411e5fbc1191a0a52ef" + "f69f2445df4f9b17ad2b417be66c3710";

    [Theory]
    [InlineData("2b7e151628aed2a6abf7158809cf4f3c",
        "874d6191b620e3261bef6864990db6ce" + "9806f66b7970fdff8617187bb9fffdff" + "5ae4df3edbd5d35e5b4f09020db03eab" + "1e031dda2fbe03d1792170a0f3009cee")]
    [InlineData("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
        "1abc932417521ca24f2b0459fe7e6e0b" + "090339ec0aa6faefd5ccc2c6f4ce8e94" + "1e36b26bd1ebc670d1bd1d665620abf7" + "4f78a7f6d29809585a97daec58c6b050")]
    [InlineData("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
        "601ec313775789a5b7a7f504bbf3d228" + "f443e3ca4d62b59aca84e990cacaf5c5" + "2b0930daa23de94ce87017ba2d84988d" + "dfc9c58db67aada613c2dd08457941a6")]
    public void Nist_vectors_encrypt_and_decrypt(string key, string cipherText)
    {
        var k = Convert.FromHexString(key);
        var iv = Convert.FromHexString(Counter);
        Assert.Equal(cipherText, Convert.ToHexStringLower(AesCtr.Transform(k, iv, Convert.FromHexString(Plaintext))));
        Assert.Equal(Plaintext, Convert.ToHexStringLower(AesCtr.Transform(k, iv, Convert.FromHexString(cipherText))));
    }

    [Fact]
    public void Uneven_chunks_give_the_one_shot_result()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var iv = AesCtr.NewIv();
        var data = RandomNumberGenerator.GetBytes(70_001);
        var expected = AesCtr.Transform(key, iv, data);
        using var ctr = new AesCtr(key, iv);
        var offset = 0;
        foreach (var size in Enumerable.Repeat(new[] { 1, 15, 17, 4096, 5000, 33 }, 100).SelectMany(s => s))
        {
            var n = Math.Min(size, data.Length - offset);
            ctr.Transform(data.AsSpan(offset, n));
            offset += n;
        }

        ctr.Transform(data.AsSpan(offset));
        Assert.Equal(expected, data);
    }

    [Fact]
    public void The_counter_wraps_over_all_128_bits()
    {
        var key = Convert.FromHexString("2b7e151628aed2a6abf7158809cf4f3c");
        var keystream = AesCtr.Transform(key, Convert.FromHexString("ffffffffffffffffffffffffffffffff"), new byte[32]);
        using var aes = Aes.Create();
        aes.Key = key;
        var expected = aes.EncryptEcb(Convert.FromHexString("ffffffffffffffffffffffffffffffff" + "00000000000000000000000000000000"), PaddingMode.None);
        Assert.Equal(expected, keystream);
    }

    [Fact]
    public void Bad_key_and_iv_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new AesCtr(new byte[15], new byte[16]));
        Assert.Throws<ArgumentException>(() => new AesCtr(new byte[16], new byte[8]));
    }
}
