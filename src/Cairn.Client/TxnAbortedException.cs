namespace Cairn.Client;

/// <summary>
/// A store refused a transactional command (a key error other than a lock or a write conflict), or the transaction
/// was rolled back by a lock resolver before it could commit. <see cref="ClientException.IsRetryable"/> tells which.
/// </summary>
public sealed class TxnAbortedException : ClientException
{
    /// <summary>Creates the exception.</summary>
    public TxnAbortedException(string message, bool isRetryable)
        : base(message, isRetryable)
    {
    }
}
