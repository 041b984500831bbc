namespace Cairn.Common.Codec;

/// <summary>
/// Thrown when bytes handed to a decoder are not a valid encoding (truncated input, bad marker, unknown flag, ...).
/// Corrupt keys and values are never transient, so callers should not retry on this exception.
/// </summary>
public sealed class CodecException : FormatException
{
    /// <summary>Creates an exception with no message.</summary>
    public CodecException()
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    public CodecException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    public CodecException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
