using Cairn.Common.Codec;
using Cairn.Common.Mvcc;

namespace Cairn.Common.Tests.Mvcc;

public sealed class LockRecordTests
{
    [Fact]
    public void Optimistic_lock_layout()
    {
        var lockRecord = new LockRecord
        {
            Type = LockType.Put,
            Primary = "pk"u8.ToArray(),
            StartTs = 1,
            Ttl = 100,
            ShortValue = "v1"u8.ToArray(),
            ForUpdateTs = 5,
            TxnSize = 3,
            MinCommitTs = 7,
        };
        var bytes = lockRecord.ToBytes();
        Assert.Equal(
            "50" + "04706B" + "01" + "64" + "76027631" + "66" + "0000000000000005" + "74" + "0000000000000003" + "63" + "0000000000000007",
            Convert.ToHexString(bytes));
        Assert.Equal(bytes.Length, lockRecord.EncodedLength);

        var decoded = LockRecord.Decode(bytes);
        Assert.Equal(LockType.Put, decoded.Type);
        Assert.Equal("pk"u8.ToArray(), decoded.Primary);
        Assert.Equal(1UL, decoded.StartTs);
        Assert.Equal(100UL, decoded.Ttl);
        Assert.Equal("v1"u8.ToArray(), decoded.ShortValue);
        Assert.Equal(5UL, decoded.ForUpdateTs);
        Assert.Equal(3UL, decoded.TxnSize);
        Assert.Equal(7UL, decoded.MinCommitTs);
        Assert.True(decoded.IsPessimisticTxn);
        Assert.False(decoded.UseAsyncCommit);
    }

    [Fact]
    public void Pessimistic_lock_with_every_extra_field()
    {
        var lockRecord = new LockRecord
        {
            Type = LockType.Pessimistic,
            Primary = new byte[70],
            StartTs = 449_000_000_000_000_001,
            Ttl = 3000,
            ForUpdateTs = 449_000_000_000_000_005,
            UseAsyncCommit = true,
            Secondaries = ["s1"u8.ToArray(), []],
            RollbackTs = [11, 12],
            LastChangeTs = 8,
            VersionsToLastChange = 1,
            TxnSource = 2,
            IsLockedWithConflict = true,
            Generation = 4,
        };
        var bytes = lockRecord.ToBytes();
        Assert.Equal(bytes.Length, lockRecord.EncodedLength);
        var decoded = LockRecord.Decode(bytes);
        Assert.Equal(LockType.Pessimistic, decoded.Type);
        Assert.Equal(70, decoded.Primary.Length);
        Assert.Equal(lockRecord.StartTs, decoded.StartTs);
        Assert.Equal(3000UL, decoded.Ttl);
        Assert.Null(decoded.ShortValue);
        Assert.True(decoded.UseAsyncCommit);
        Assert.Equal(2, decoded.Secondaries.Count);
        Assert.Equal("s1"u8.ToArray(), decoded.Secondaries[0]);
        Assert.Empty(decoded.Secondaries[1]);
        Assert.Equal([11UL, 12UL], decoded.RollbackTs);
        Assert.Equal(8UL, decoded.LastChangeTs);
        Assert.Equal(1UL, decoded.VersionsToLastChange);
        Assert.Equal(2UL, decoded.TxnSource);
        Assert.True(decoded.IsLockedWithConflict);
        Assert.Equal(4UL, decoded.Generation);
        Assert.Equal(bytes, decoded.ToBytes());

        // Primary of 70 bytes: zig-zag length 140 takes two varint bytes.
        Assert.Equal("538C01", Convert.ToHexString(bytes, 0, 3));
    }

    [Fact]
    public void Old_lock_without_TTL_and_unknown_trailing_tag()
    {
        var noTtl = LockRecord.Decode(Convert.FromHexString("4C" + "0261" + "05"));
        Assert.Equal(LockType.Lock, noTtl.Type);
        Assert.Equal(0UL, noTtl.Ttl);

        var withUnknown = LockRecord.Decode(Convert.FromHexString("44" + "0261" + "05" + "0A" + "5A" + "0102"));
        Assert.Equal(10UL, withUnknown.Ttl);
        Assert.Equal(0UL, withUnknown.ForUpdateTs);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("5802610501", "unknown lock type 0x58")]
    [InlineData("500A61", "declare")]
    [InlineData("500261", "truncated")]
    [InlineData("50026105006600", "for_update_ts")]
    [InlineData("5002610500760561", "short value")]
    [InlineData("5002610500610A", "items")]
    public void Malformed_locks_are_rejected(string hex, string reason)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Contains(reason, Assert.Throws<CodecException>(() => LockRecord.Decode(bytes)).Message, StringComparison.Ordinal);
    }
}
