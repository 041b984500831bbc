using Cairn.Common.Mvcc;
using Cairn.Rpc.Kvrpcpb;
using Google.Protobuf;

namespace Cairn.Store.Txn;

/// <summary>Builds kvproto key errors (<c>kvrpcpb.KeyError</c>) and lock infos.</summary>
internal static class TxnErrors
{
    /// <summary>The kvproto view of a lock on <paramref name="rawKey"/>.</summary>
    public static LockInfo ToLockInfo(LockRecord lockRecord, ReadOnlySpan<byte> rawKey)
    {
        ArgumentNullException.ThrowIfNull(lockRecord);
        var info = new LockInfo
        {
            PrimaryLock = ByteString.CopyFrom(lockRecord.Primary),
            LockVersion = lockRecord.StartTs,
            Key = ByteString.CopyFrom(rawKey),
            LockTtl = lockRecord.Ttl,
            TxnSize = lockRecord.TxnSize,
            LockType = ToOp(lockRecord.Type),
            LockForUpdateTs = lockRecord.ForUpdateTs,
            UseAsyncCommit = lockRecord.UseAsyncCommit,
            MinCommitTs = lockRecord.MinCommitTs,
        };
        foreach (var secondary in lockRecord.Secondaries)
        {
            info.Secondaries.Add(ByteString.CopyFrom(secondary));
        }

        return info;
    }

    /// <summary><c>KeyError.locked</c>.</summary>
    public static KeyError Locked(LockRecord lockRecord, ReadOnlySpan<byte> rawKey) => new() { Locked = ToLockInfo(lockRecord, rawKey) };

    /// <summary><c>KeyError.conflict</c>, also described in <c>retryable</c> as TiKV does.</summary>
    public static KeyError WriteConflict(ulong startTs, ulong conflictStartTs, ulong conflictCommitTs, ReadOnlySpan<byte> rawKey,
        ByteString primary, Rpc.Kvrpcpb.WriteConflict.Types.Reason reason) => new()
    {
        Retryable = $"write conflict: start_ts {startTs}, conflict_start_ts {conflictStartTs}, conflict_commit_ts {conflictCommitTs}, key {Convert.ToHexString(rawKey)}, reason {reason}",
        Conflict = new Rpc.Kvrpcpb.WriteConflict
        {
            StartTs = startTs,
            ConflictTs = conflictStartTs,
            ConflictCommitTs = conflictCommitTs,
            Key = ByteString.CopyFrom(rawKey),
            Primary = primary,
            Reason = reason,
        },
    };

    /// <summary><c>KeyError.already_exist</c> (Insert on a key that has a value).</summary>
    public static KeyError AlreadyExist(ReadOnlySpan<byte> rawKey) => new()
    {
        AlreadyExist = new AlreadyExist { Key = ByteString.CopyFrom(rawKey) },
    };

    /// <summary>Commit found neither the lock nor a commit record: the transaction was rolled back or never prewritten.</summary>
    public static KeyError TxnLockNotFound(ulong startTs, ulong commitTs, ReadOnlySpan<byte> rawKey) => new()
    {
        Retryable = $"TxnLockNotFound: txn {startTs} has no lock on key {Convert.ToHexString(rawKey)} to commit at {commitTs}; it was rolled back or never prewritten",
        TxnLockNotFound = new TxnLockNotFound { Key = ByteString.CopyFrom(rawKey) },
    };

    /// <summary><c>KeyError.commit_ts_expired</c>.</summary>
    public static KeyError CommitTsExpired(ulong startTs, ulong attempted, ReadOnlySpan<byte> rawKey, ulong minCommitTs) => new()
    {
        CommitTsExpired = new CommitTsExpired
        {
            StartTs = startTs,
            AttemptedCommitTs = attempted,
            Key = ByteString.CopyFrom(rawKey),
            MinCommitTs = minCommitTs,
        },
    };

    /// <summary><c>KeyError.txn_not_found</c>.</summary>
    public static KeyError TxnNotFound(ulong startTs, ByteString primary) => new()
    {
        TxnNotFound = new TxnNotFound { StartTs = startTs, PrimaryKey = primary },
    };

    /// <summary>Rolling back a committed transaction.</summary>
    public static KeyError Committed(ulong startTs, ulong commitTs, ReadOnlySpan<byte> rawKey) => new()
    {
        Abort = $"Committed: txn {startTs} is already committed at {commitTs} on key {Convert.ToHexString(rawKey)}",
    };

    /// <summary>Any other failure that the client must not retry.</summary>
    public static KeyError Abort(string message) => new() { Abort = message };

    private static Op ToOp(LockType type) => type switch
    {
        LockType.Put => Op.Put,
        LockType.Delete => Op.Del,
        LockType.Lock => Op.Lock,
        LockType.Pessimistic => Op.PessimisticLock,
        _ => Op.Put,
    };
}
