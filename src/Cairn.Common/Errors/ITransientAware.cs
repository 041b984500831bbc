namespace Cairn.Common.Errors;

/// <summary>
/// An exception that knows whether trying the same operation again may succeed. Every exception root in Cairn
/// implements it, so <see cref="Transience.IsTransient(Exception?, CancellationToken)"/> can classify any failure
/// the same way wherever a retry is decided.
/// </summary>
public interface ITransientAware
{
    /// <summary>Whether a later attempt of the same operation may succeed (peer unreachable, busy, moved, timed out).</summary>
    bool IsTransient { get; }
}
