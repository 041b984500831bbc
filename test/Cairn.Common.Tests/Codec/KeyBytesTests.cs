using Cairn.Common.Codec;

namespace Cairn.Common.Tests.Codec;

public sealed class KeyBytesTests
{
    [Theory]
    [InlineData("0102", "0103")]
    [InlineData("01FF", "0200")]
    [InlineData("00FFFF", "010000")]
    [InlineData("FF", "FF00")]
    [InlineData("FFFFFFFFFFFFFFFF", "FFFFFFFFFFFFFFFF00")]
    [InlineData("", "00")]
    public void Prefix_next_follows_TiDB(string keyHex, string expectedHex)
    {
        var key = Convert.FromHexString(keyHex);
        Assert.Equal(expectedHex, Convert.ToHexString(KeyBytes.PrefixNext(key)));

        var destination = new byte[key.Length + 1];
        var written = KeyBytes.PrefixNext(key, destination);
        Assert.Equal(expectedHex, Convert.ToHexString(destination, 0, written));
    }

    [Fact]
    public void Prefix_next_is_above_every_extension_of_the_key()
    {
        var key = "t\x01_r"u8.ToArray();
        var next = KeyBytes.PrefixNext(key);
        Assert.True(KeyBytes.Compare(key.Concat(new byte[] { 0xFF, 0xFF }).ToArray(), next) < 0);
        Assert.True(KeyBytes.Compare(key, next) < 0);
    }

    [Fact]
    public void Prefix_next_in_place_reports_overflow()
    {
        var key = new byte[] { 0xFF, 0xFF };
        Assert.False(KeyBytes.PrefixNextInPlace(key));
        Assert.Equal(new byte[2], key);
    }

    [Fact]
    public void Next_appends_zero() => Assert.Equal(new byte[] { 5, 0 }, KeyBytes.Next([5]));
}
