using Cairn.Common;
using Cairn.Common.Mvcc;

namespace Cairn.Store.Txn;

/// <summary>What a lock means to readers and to the commands that may clean it up.</summary>
internal static class LockVisibility
{
    /// <summary>
    /// Whether a lock hides the key from a read at <paramref name="readTs"/>, as TiKV decides: locks newer than
    /// the read, lock-only and pessimistic locks, locks the client has resolved (<paramref name="bypass"/>), and
    /// locks whose min_commit_ts is past the read (the commit will land after it) do not block.
    /// </summary>
    public static bool BlocksRead(LockRecord lockRecord, ReadOnlySpan<byte> rawKey, ulong readTs, ICollection<ulong>? bypass)
    {
        if (lockRecord.StartTs > readTs || lockRecord.Type is LockType.Lock or LockType.Pessimistic)
        {
            return false;
        }

        if (lockRecord.MinCommitTs > readTs)
        {
            return false;
        }

        if (readTs == ulong.MaxValue && rawKey.SequenceEqual(lockRecord.Primary))
        {
            // Reading the latest version of a primary key ignores its own lock, as TiKV does.
            return false;
        }

        return bypass is null || !bypass.Contains(lockRecord.StartTs);
    }

    /// <summary>Whether the lock's TTL has run out at <paramref name="currentTs"/>.</summary>
    public static bool IsExpired(LockRecord lockRecord, ulong currentTs) =>
        Tso.Physical(lockRecord.StartTs) + (long)Math.Min(lockRecord.Ttl, long.MaxValue / 2) < Tso.Physical(currentTs);
}
