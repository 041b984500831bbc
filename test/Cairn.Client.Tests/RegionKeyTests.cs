using System.Text;
using Cairn.Client.Regions;
using Cairn.Common.Mvcc;

namespace Cairn.Client.Tests;

public sealed class RegionKeyTests
{
    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("t\u0001_r12345678")]
    [InlineData("exactly8")]
    public void Txn_keys_are_encoded_and_decode_back(string text)
    {
        var key = Encoding.UTF8.GetBytes(text);
        var encoded = RegionCache.ToRegionKey(key, KeyMode.Txn);
        Assert.Equal(MvccKey.EncodeKey(key), encoded);
        if (key.Length > 0)
        {
            Assert.Equal(key, RegionCache.ToUserKey(encoded, KeyMode.Txn));
        }
    }

    [Fact]
    public void Raw_keys_and_empty_boundaries_are_unchanged()
    {
        var key = new byte[] { 0, 1, 0xFF };
        Assert.Equal(key, RegionCache.ToRegionKey(key, KeyMode.Raw));
        Assert.Equal(key, RegionCache.ToUserKey(key, KeyMode.Raw));
        Assert.Empty(RegionCache.ToUserKey([], KeyMode.Txn));
    }

    [Fact]
    public void A_txn_boundary_that_is_not_an_encoding_is_refused()
    {
        var e = Assert.Throws<ClientException>(() => RegionCache.ToUserKey([1, 2, 3], KeyMode.Txn));
        Assert.Contains("010203", e.Message);
        Assert.False(e.IsRetryable);
    }

    [Fact]
    public void Encoded_order_matches_raw_order()
    {
        var keys = new[] { "a", "a\0", "ab", "abcdefgh", "abcdefghi", "b" }.Select(Encoding.UTF8.GetBytes).ToList();
        var encoded = keys.Select(k => RegionCache.ToRegionKey(k, KeyMode.Txn)).ToList();
        for (var i = 1; i < keys.Count; i++)
        {
            Assert.True(encoded[i - 1].AsSpan().SequenceCompareTo(encoded[i]) < 0);
        }
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientOptions { MaxTransactionAttempts = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientOptions { MinLockTtl = TimeSpan.FromSeconds(5), MaxLockTtl = TimeSpan.FromSeconds(1) }.Validate());
        new ClientOptions().Validate();
    }
}
