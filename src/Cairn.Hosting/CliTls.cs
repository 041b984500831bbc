using Cairn.Rpc.Security;

namespace Cairn.Hosting;

/// <summary>
/// <c>--ca --cert --key</c> (and <c>--cert-allowed-cn</c>) as every command reads them: the files are checked before
/// the command connects or listens, and a problem is a usage error naming the flag and the fix.
/// </summary>
public static class CliTls
{
    /// <summary>The TLS settings, or null when none of the three flags is given.</summary>
    /// <exception cref="CliUsageException">A flag is missing or a file cannot be used.</exception>
    public static TlsSettings? Read(string? ca, string? cert, string? key, IEnumerable<string>? allowedCommonNames)
    {
        try
        {
            return TlsSettings.FromFlags(ca, cert, key, allowedCommonNames);
        }
        catch (TlsSettingsException e)
        {
            throw new CliUsageException(e.Message);
        }
    }
}
