using System.Globalization;

namespace Cairn.Hosting;

/// <summary>
/// Checks of argument values shared by the commands; each throws <see cref="CliUsageException"/> naming the flag, so
/// values are refused before a command connects to or creates anything.
/// </summary>
public static class CliArgs
{
    /// <summary>
    /// pd addresses as given to <c>--pd</c>: <c>host:port</c> or <c>http://host:port</c>, several separated by commas.
    /// </summary>
    public static string[] PdAddresses(string? text, string flag = "--pd") => PdAddresses(text, flag, tls: false);

    /// <summary>
    /// pd addresses as given to <c>--pd</c> with TLS on or off (TiDB's tools' rule): <c>host:port</c> follows the
    /// setting, <c>http://</c> is refused with TLS on and <c>https://</c> with TLS off. Returned as <c>host:port</c>.
    /// </summary>
    public static string[] PdAddresses(string? text, string flag, bool tls)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CliUsageException($"{flag} needs an address (host:port)");
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var result = new string[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            result[i] = HostPort(parts[i], flag, tls);
        }

        return result;
    }

    /// <summary>One <c>host:port</c> (or <c>http://host:port</c>) address, returned as <c>host:port</c>.</summary>
    public static string HostPort(string text, string flag) => HostPort(text, flag, tls: false);

    /// <summary>One address whose scheme (if any) must agree with <paramref name="tls"/>, returned as <c>host:port</c>.</summary>
    public static string HostPort(string text, string flag, bool tls)
    {
        var value = text.Trim();
        if (value.Length == 0)
        {
            throw new CliUsageException($"{flag}: an address is empty");
        }

        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var name = value[..scheme];
            var http = string.Equals(name, "http", StringComparison.OrdinalIgnoreCase);
            var https = string.Equals(name, "https", StringComparison.OrdinalIgnoreCase);
            if (http && tls)
            {
                throw new CliUsageException($"{flag}: '{text}' is an http:// address but TLS is on (--ca given); use https:// or host:port");
            }

            if (https && !tls)
            {
                throw new CliUsageException($"{flag}: '{text}': https:// needs TLS, which is on only with --ca (and --cert, --key); use host:port or http:// for a cluster without TLS");
            }

            if (!http && !https)
            {
                throw new CliUsageException($"{flag}: '{text}': only host:port, http:// or https:// addresses are accepted");
            }

            value = value[(scheme + 3)..].TrimEnd('/');
        }

        if (!Uri.TryCreate("http://" + value, UriKind.Absolute, out var uri) || uri.PathAndQuery != "/" || uri.UserInfo.Length > 0
            || !value.Contains(':', StringComparison.Ordinal) || value.EndsWith(':'))
        {
            throw new CliUsageException($"{flag}: '{text}' is not a host:port address");
        }

        // Uri accepts ports up to 65535 only, but reports a missing one as 80; the ':' checks above rule that out.
        if (uri.Port is < 1 or > 65535)
        {
            throw new CliUsageException($"{flag}: '{text}' has port {uri.Port}, outside 1..65535");
        }

        return value;
    }

    /// <summary>An integer option's value, at least <paramref name="min"/> (and at most <paramref name="max"/>).</summary>
    public static int AtLeast(int value, string flag, int min, int max = int.MaxValue)
    {
        if (value < min || value > max)
        {
            var range = max == int.MaxValue ? $"at least {min}" : $"from {min} to {max}";
            throw new CliUsageException($"{flag} must be {range}, got {value.ToString(CultureInfo.InvariantCulture)}");
        }

        return value;
    }

    /// <summary>A name that must not be empty or blank.</summary>
    public static string Name(string? value, string what) =>
        string.IsNullOrWhiteSpace(value) ? throw new CliUsageException($"{what} must not be empty") : value;
}
