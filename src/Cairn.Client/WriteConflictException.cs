namespace Cairn.Client;

/// <summary>
/// Another transaction committed a write to a key of this one after this one started (optimistic conflict). The
/// transaction was rolled back; running it again with a new start timestamp may succeed.
/// </summary>
public sealed class WriteConflictException : ClientException
{
    /// <summary>Creates the exception.</summary>
    public WriteConflictException(ulong startTs, ulong conflictStartTs, ulong conflictCommitTs, byte[] key)
        : base($"write conflict on key {Convert.ToHexString(key)}: txn {startTs} conflicts with txn {conflictStartTs} committed at {conflictCommitTs}", isRetryable: true)
    {
        StartTs = startTs;
        ConflictStartTs = conflictStartTs;
        ConflictCommitTs = conflictCommitTs;
        Key = key;
    }

    /// <summary>This transaction's start timestamp.</summary>
    public ulong StartTs { get; }

    /// <summary>Start timestamp of the transaction that won.</summary>
    public ulong ConflictStartTs { get; }

    /// <summary>Commit timestamp of the transaction that won.</summary>
    public ulong ConflictCommitTs { get; }

    /// <summary>The contended key.</summary>
    public byte[] Key { get; }
}
