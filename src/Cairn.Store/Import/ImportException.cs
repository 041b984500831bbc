using Cairn.Common.Errors;

namespace Cairn.Store.Import;

/// <summary>
/// A Download or Ingest that cannot be done, with the one-line message the caller gets in the response's error.
/// Non-transient failures (a missing, unreadable or corrupt file) say so in the message as well, because the
/// message is all that crosses the wire.
/// </summary>
internal sealed class ImportException : Exception, ITransientAware
{
    /// <summary>The phrase that marks a failure that will not go away on retry; br's restore classifies by it.</summary>
    public const string NonRetryable = "non-retryable";

    /// <summary>Creates the exception.</summary>
    public ImportException(string message, bool isTransient, Exception? innerException = null)
        : base(isTransient ? message : $"{message} ({NonRetryable})", innerException)
    {
        IsTransient = isTransient;
    }

    /// <inheritdoc/>
    public bool IsTransient { get; }
}
