namespace Cairn.Client;

/// <summary>
/// Committing the primary key failed in a way that leaves the outcome unknown (the request may or may not have been
/// applied before the store became unreachable). The transaction may be committed or rolled back; callers must not
/// assume either, so this is not retryable.
/// </summary>
public sealed class TxnUndeterminedException : ClientException
{
    /// <summary>Creates the exception.</summary>
    public TxnUndeterminedException(string message, Exception? innerException)
        : base(message, isRetryable: false, innerException)
    {
    }
}
