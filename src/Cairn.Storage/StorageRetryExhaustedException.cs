namespace Cairn.Storage;

/// <summary>
/// A transient failure that a <see cref="RetryPolicy"/> already retried until its attempts or time budget ran
/// out. Still transient (a later job may succeed), but outer retry layers pass it on instead of multiplying
/// the attempts.
/// </summary>
public sealed class StorageRetryExhaustedException : StorageException
{
    /// <summary>Creates the exception around the last attempt's error.</summary>
    public StorageRetryExhaustedException(string message, int attempts, StorageException lastError)
        : base(message, isTransient: true, (lastError ?? throw new ArgumentNullException(nameof(lastError))).Kind, lastError)
    {
        Attempts = attempts;
    }

    /// <summary>How many attempts were made.</summary>
    public int Attempts { get; }
}
