using Cairn.Common.Errors;

namespace Cairn.Client;

/// <summary>
/// Base of the client's failures. <see cref="IsRetryable"/> says whether running the same operation again (for a
/// transaction: a new transaction) may succeed.
/// </summary>
public class ClientException : Exception, ITransientAware
{
    /// <summary>Creates the exception.</summary>
    public ClientException(string message, bool isRetryable, Exception? innerException = null)
        : base(message, innerException)
    {
        IsRetryable = isRetryable;
    }

    /// <summary>Whether trying again may succeed.</summary>
    public bool IsRetryable { get; }

    /// <summary>The same answer as <see cref="IsRetryable"/>, in the vocabulary every Cairn exception shares.</summary>
    public bool IsTransient => IsRetryable;
}
