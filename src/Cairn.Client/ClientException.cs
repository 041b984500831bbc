namespace Cairn.Client;

/// <summary>
/// Base of the client's failures. <see cref="IsRetryable"/> says whether running the same operation again (for a
/// transaction: a new transaction) may succeed.
/// </summary>
public class ClientException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClientException(string message, bool isRetryable, Exception? innerException = null)
        : base(message, innerException)
    {
        IsRetryable = isRetryable;
    }

    /// <summary>Whether trying again may succeed.</summary>
    public bool IsRetryable { get; }
}
