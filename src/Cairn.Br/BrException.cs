using Cairn.Common.Errors;

namespace Cairn.Br;

/// <summary>
/// A backup or restore that could not be done. <see cref="Exception.Message"/> is one line for the user: what was
/// wrong and what to do. <see cref="Code"/> is BR's error name (for example <c>ErrBackupGCSafepointExceeded</c>).
/// </summary>
public sealed class BrException : Exception, ITransientAware
{
    /// <summary>Creates the exception.</summary>
    public BrException(string code, string message, Exception? innerException = null, bool isTransient = false)
        : base(message, innerException)
    {
        Code = code;
        IsTransient = isTransient;
    }

    /// <summary>BR's name for the error.</summary>
    public string Code { get; }

    /// <inheritdoc />
    public bool IsTransient { get; }

    /// <summary>What a backup had done when it failed, if it got that far.</summary>
    public BackupSummary? Summary { get; init; }

    /// <summary>What a restore had done when it failed, if it got that far.</summary>
    public RestoreSummary? RestoreSummary { get; init; }
}
