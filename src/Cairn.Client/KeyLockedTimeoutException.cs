namespace Cairn.Client;

/// <summary>
/// A key stayed locked by another live transaction for longer than the backoff budget allowed. Retryable: the lock
/// expires or its owner finishes eventually.
/// </summary>
public sealed class KeyLockedTimeoutException : ClientException
{
    /// <summary>Creates the exception.</summary>
    public KeyLockedTimeoutException(string message, string target, string? lastError)
        : base(message, isRetryable: true)
    {
        Target = target;
        LastError = lastError;
    }

    /// <summary>The locked key (hex) and the lock's transaction.</summary>
    public string Target { get; }

    /// <summary>The last lock status seen.</summary>
    public string? LastError { get; }
}
