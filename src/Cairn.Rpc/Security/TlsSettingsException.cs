namespace Cairn.Rpc.Security;

/// <summary>
/// The TLS files cannot be used: one is missing or unreadable, holds no PEM of the expected kind, the key does not
/// belong to the certificate, or a certificate is expired. The message names the file and says what to do.
/// </summary>
public sealed class TlsSettingsException : Exception
{
    /// <summary>Creates the exception with a message for the user.</summary>
    public TlsSettingsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message for the user and its cause.</summary>
    public TlsSettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public TlsSettingsException()
    {
    }
}
