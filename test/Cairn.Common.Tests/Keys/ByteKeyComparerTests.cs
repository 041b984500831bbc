using Cairn.Common.Keys;

namespace Cairn.Common.Tests.Keys;

public sealed class ByteKeyComparerTests
{
    [Fact]
    public void Orders_unsigned_lexicographically_with_prefixes_first()
    {
        byte[][] keys = [[0x80], [], [0x01, 0x00], [0x01], [0xFF, 0x00], [0x7F]];
        var sorted = keys.Order(ByteKeyComparer.Instance).Select(Convert.ToHexString);
        Assert.Equal(["", "01", "0100", "7F", "80", "FF00"], sorted);
        Assert.True(ByteKeyComparer.Instance.Compare(new ReadOnlyMemory<byte>([1]), new ReadOnlyMemory<byte>([1, 0])) < 0);
        Assert.Equal(0, ByteKeyComparer.Instance.Compare(null, []));
    }

    [Fact]
    public void Equal_keys_hash_alike()
    {
        var set = new HashSet<byte[]>(ByteKeyComparer.Instance) { new byte[] { 1, 2 }, new byte[] { 1, 2 }, new byte[] { 2, 1 } };
        Assert.Equal(2, set.Count);
        Assert.True(ByteKeyComparer.Instance.Equals([], null));
    }
}
