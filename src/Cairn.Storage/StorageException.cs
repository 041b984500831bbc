using Cairn.Common.Errors;

namespace Cairn.Storage;

/// <summary>
/// A storage operation failed. <see cref="IsTransient"/> says whether trying again may succeed
/// (5xx, throttling, timeouts, dropped connections) or not (not found, access denied, bad request).
/// Messages never contain credentials.
/// </summary>
public class StorageException : Exception, ITransientAware
{
    /// <summary>Creates the exception.</summary>
    public StorageException(string message, bool isTransient, StorageErrorKind kind = StorageErrorKind.Other, Exception? innerException = null)
        : base(message, innerException)
    {
        IsTransient = isTransient;
        Kind = kind;
    }

    /// <summary>Whether a retry may succeed.</summary>
    public bool IsTransient { get; }

    /// <summary>What kind of failure this is.</summary>
    public StorageErrorKind Kind { get; }
}
