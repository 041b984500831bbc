using Cairn.Rpc.Kvrpcpb;

namespace Cairn.Client.Txn;

/// <summary>Words kvproto key errors for exception messages.</summary>
internal static class TxnErrorFormat
{
    public static string Describe(KeyError error)
    {
        if (error.Locked is { } locked)
        {
            return $"KeyIsLocked: key {Convert.ToHexString(locked.Key.Span)} locked by txn {locked.LockVersion} (primary {Convert.ToHexString(locked.PrimaryLock.Span)}, ttl {locked.LockTtl} ms)";
        }

        if (error.Conflict is { } conflict)
        {
            return $"WriteConflict: key {Convert.ToHexString(conflict.Key.Span)}, txn {conflict.StartTs} vs txn {conflict.ConflictTs} committed at {conflict.ConflictCommitTs}";
        }

        if (error.AlreadyExist is { } exist)
        {
            return $"AlreadyExist: key {Convert.ToHexString(exist.Key.Span)}";
        }

        if (error.TxnLockNotFound is { } notFound)
        {
            return $"TxnLockNotFound: key {Convert.ToHexString(notFound.Key.Span)}";
        }

        if (error.CommitTsExpired is { } expired)
        {
            return $"CommitTsExpired: key {Convert.ToHexString(expired.Key.Span)}, attempted {expired.AttemptedCommitTs}, min {expired.MinCommitTs}";
        }

        if (error.TxnNotFound is { } txnNotFound)
        {
            return $"TxnNotFound: txn {txnNotFound.StartTs}, primary {Convert.ToHexString(txnNotFound.PrimaryKey.Span)}";
        }

        if (error.Abort.Length > 0)
        {
            return $"Abort: {error.Abort}";
        }

        return error.Retryable.Length > 0 ? $"Retryable: {error.Retryable}" : error.ToString();
    }
}
