using System.Text;

namespace Cairn.Storage;

/// <summary>
/// Removes credentials from text that is about to be printed, logged or put into an exception message.
/// Every URL the library shows goes through <see cref="Url"/>; every message built from a server's answer
/// goes through <see cref="Secrets"/> with the secrets the caller holds.
/// </summary>
public static class Redact
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Placeholder = "<redacted>";

    // Query parameter names (after lower-casing and '_' → '-') whose values are secrets. Azure SAS tokens
    // embedded in a URL carry their signature as "sig"; presigned S3 URLs as "x-amz-signature".
    private static readonly HashSet<string> SecretParameters = new(StringComparer.Ordinal)
    {
        "access-key", "secret-access-key", "session-token", "account-key", "sas-token", "sig", "signature",
        "x-amz-signature", "x-amz-credential", "x-amz-security-token", "token", "password", "credentials",
        // kvproto's names of the same secrets (shared_key, access_sig, credentials_blob), and encryption keys
        // (crypter.key, a master key) should a message or option dump ever name them.
        "shared-key", "access-sig", "credentials-blob", "key", "master-key",
    };

    /// <summary>Whether a query parameter or flag name (any case, '_' or '-') names a secret.</summary>
    public static bool IsSecretParameter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim().ToLowerInvariant().Replace('_', '-');
        var dot = key.LastIndexOf('.');
        if (dot >= 0)
        {
            key = key[(dot + 1)..];
        }

        return SecretParameters.Contains(key);
    }

    /// <summary>
    /// Returns <paramref name="url"/> with the values of secret query parameters and any user-info
    /// (<c>user:password@</c>) replaced by <see cref="Placeholder"/>. Works on text, so it also handles
    /// URLs that fail to parse.
    /// </summary>
    public static string Url(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return url ?? "";
        }

        var fragmentStart = url.IndexOf('#', StringComparison.Ordinal);
        var fragment = fragmentStart >= 0 ? url[fragmentStart..] : "";
        var main = fragmentStart >= 0 ? url[..fragmentStart] : url;
        var queryStart = main.IndexOf('?', StringComparison.Ordinal);
        var head = queryStart >= 0 ? main[..queryStart] : main;
        var query = queryStart >= 0 ? main[(queryStart + 1)..] : null;

        var schemeEnd = head.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            var authorityStart = schemeEnd + 3;
            var slash = head.IndexOf('/', authorityStart);
            var authorityEnd = slash >= 0 ? slash : head.Length;
            var at = head.LastIndexOf('@', authorityEnd - 1, authorityEnd - authorityStart);
            if (at >= 0)
            {
                head = string.Concat(head.AsSpan(0, authorityStart), Placeholder, head.AsSpan(at));
            }
        }

        var builder = new StringBuilder(head);
        if (query is not null)
        {
            builder.Append('?');
            var first = true;
            foreach (var pair in query.Split('&'))
            {
                if (!first)
                {
                    builder.Append('&');
                }

                first = false;
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var name = eq >= 0 ? pair[..eq] : pair;
                if (eq >= 0 && IsSecretParameter(SafeUnescape(name)))
                {
                    builder.Append(name).Append('=').Append(Placeholder);
                }
                else
                {
                    builder.Append(pair);
                }
            }
        }
        return builder.Append(fragment).ToString();
    }

    /// <summary>
    /// Replaces every occurrence of each non-empty secret in <paramref name="text"/> (also in its
    /// URL-escaped form) by <see cref="Placeholder"/>.
    /// </summary>
    public static string Secrets(string? text, params ReadOnlySpan<string?> secrets)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        foreach (var secret in secrets)
        {
            // Very short values would blank out ordinary words; real secrets are long.
            if (string.IsNullOrEmpty(secret) || secret.Length < 4)
            {
                continue;
            }

            text = text.Replace(secret, Placeholder, StringComparison.Ordinal);
            var escaped = System.Uri.EscapeDataString(secret);
            if (!string.Equals(escaped, secret, StringComparison.Ordinal))
            {
                text = text.Replace(escaped, Placeholder, StringComparison.OrdinalIgnoreCase);
            }
        }
        return text;
    }

    private static string SafeUnescape(string value)
    {
        try
        {
            return System.Uri.UnescapeDataString(value);
        }
        catch (UriFormatException)
        {
            return value;
        }
    }
}
