using Cairn.Common.Hashing;

namespace Cairn.Common.Tests.Hashing;

public sealed class KvChecksumTests
{
    [Fact]
    public void Pair_hash_is_one_CRC_over_key_then_value()
    {
        Assert.Equal(0x995DC9BBDF1939FAUL, KvChecksum.HashPair("1234"u8, "56789"u8));
        Assert.Equal(0x995DC9BBDF1939FAUL, KvChecksum.HashPair("123456789"u8, []));
    }

    [Fact]
    public void Add_counts_pairs_and_bytes()
    {
        var checksum = KvChecksum.Empty.Add("k1"u8, "value"u8).Add("key2"u8, []);
        Assert.Equal(2UL, checksum.TotalKvs);
        Assert.Equal(11UL, checksum.TotalBytes);
        Assert.Equal(KvChecksum.HashPair("k1"u8, "value"u8) ^ KvChecksum.HashPair("key2"u8, []), checksum.Crc64Xor);
    }

    [Fact]
    public void Merge_is_order_independent()
    {
        var pairs = Enumerable.Range(0, 50).Select(i => (Key: BitConverter.GetBytes(i), Value: new byte[i])).ToArray();
        var all = pairs.Aggregate(KvChecksum.Empty, (acc, p) => acc.Add(p.Key, p.Value));
        var first = pairs.Take(20).Aggregate(KvChecksum.Empty, (acc, p) => acc.Add(p.Key, p.Value));
        var second = pairs.Skip(20).Reverse().Aggregate(KvChecksum.Empty, (acc, p) => acc.Add(p.Key, p.Value));
        Assert.Equal(all, second.Merge(first));
        Assert.Equal(all, first + second);
        Assert.Equal(50UL, all.TotalKvs);
    }

    [Fact]
    public void Adding_a_pair_twice_cancels_the_CRC_but_not_the_counts()
    {
        var checksum = KvChecksum.Empty.Add("a"u8, "b"u8).Add("a"u8, "b"u8);
        Assert.Equal(0UL, checksum.Crc64Xor);
        Assert.Equal(2UL, checksum.TotalKvs);
        Assert.Equal(4UL, checksum.TotalBytes);
    }
}
