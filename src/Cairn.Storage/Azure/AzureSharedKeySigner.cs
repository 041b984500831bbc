using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Cairn.Storage.Azure;

/// <summary>
/// Signs Blob service requests with the account key (the "Shared Key" scheme of x-ms-version 2009-09-19 and later).
/// </summary>
/// <remarks>
/// The key bytes stay inside this object; the string that is signed and the signature are never logged, because
/// a signature together with the string to sign is enough to replay the request.
/// </remarks>
internal sealed class AzureSharedKeySigner
{
    private readonly string _account;
    private readonly byte[] _key;

    public AzureSharedKeySigner(string account, string base64Key)
    {
        _account = account;
        try
        {
            _key = Convert.FromBase64String(base64Key);
        }
        catch (FormatException)
        {
            // The message must not echo the key.
            throw new StorageException("Azure account key is not valid base64", isTransient: false, StorageErrorKind.InvalidArgument);
        }
    }

    /// <summary>Adds <c>Authorization: SharedKey account:signature</c>. x-ms-date and x-ms-version must already be set.</summary>
    public void Sign(HttpRequestMessage request)
    {
        var sts = BuildStringToSign(request);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(sts)));
        request.Headers.Authorization = new AuthenticationHeaderValue("SharedKey", _account + ":" + signature);
    }

    private string BuildStringToSign(HttpRequestMessage request)
    {
        var content = request.Content?.Headers;
        var sb = new StringBuilder(256);
        sb.Append(request.Method.Method).Append('\n');
        sb.Append(ContentHeader(content, "Content-Encoding")).Append('\n');
        sb.Append(ContentHeader(content, "Content-Language")).Append('\n');
        // Since version 2015-02-21 a zero length is signed as an empty string.
        var length = content?.ContentLength;
        sb.Append(length is null or 0 ? "" : length.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(ContentHeader(content, "Content-MD5")).Append('\n');
        sb.Append(ContentHeader(content, "Content-Type")).Append('\n');
        sb.Append('\n'); // Date: we always send x-ms-date instead, which takes precedence.
        sb.Append(Header(request, "If-Modified-Since")).Append('\n');
        sb.Append(Header(request, "If-Match")).Append('\n');
        sb.Append(Header(request, "If-None-Match")).Append('\n');
        sb.Append(Header(request, "If-Unmodified-Since")).Append('\n');
        sb.Append(Header(request, "Range")).Append('\n');
        AppendCanonicalizedHeaders(sb, request);
        AppendCanonicalizedResource(sb, request.RequestUri!);
        return sb.ToString();
    }

    private static void AppendCanonicalizedHeaders(StringBuilder sb, HttpRequestMessage request)
    {
        var names = new List<(string Lower, string Value)>();
        foreach (var header in request.Headers.NonValidated)
        {
            if (!header.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var value = string.Join(",", header.Value);
            names.Add((header.Key.ToLowerInvariant(), UnfoldWhitespace(value)));
        }
        names.Sort(static (a, b) => string.CompareOrdinal(a.Lower, b.Lower));
        foreach (var (lower, value) in names)
        {
            sb.Append(lower).Append(':').Append(value).Append('\n');
        }
    }

    private void AppendCanonicalizedResource(StringBuilder sb, Uri uri)
    {
        // The path is signed as it appears on the wire (percent-encoded), prefixed with the account name.
        sb.Append('/').Append(_account).Append(uri.AbsolutePath);
        var query = uri.Query;
        if (query.Length <= 1)
        {
            return;
        }
        var parameters = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in query.AsSpan(1).ToString().Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (!parameters.TryGetValue(name, out var values))
            {
                parameters[name] = values = [];
            }
            values.Add(value);
        }
        foreach (var (name, values) in parameters)
        {
            values.Sort(StringComparer.Ordinal);
            sb.Append('\n').Append(name).Append(':').AppendJoin(',', values);
        }
    }

    private static string Header(HttpRequestMessage request, string name) =>
        request.Headers.NonValidated.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    private static string ContentHeader(HttpContentHeaders? headers, string name) =>
        headers is not null && headers.NonValidated.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    private static string UnfoldWhitespace(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal) && !trimmed.Contains('\n', StringComparison.Ordinal))
        {
            return trimmed;
        }
        var sb = new StringBuilder(trimmed.Length);
        var lastWasSpace = false;
        foreach (var c in trimmed)
        {
            var isSpace = c is ' ' or '\t' or '\r' or '\n';
            if (isSpace && lastWasSpace)
            {
                continue;
            }
            sb.Append(isSpace ? ' ' : c);
            lastWasSpace = isSpace;
        }
        return sb.ToString();
    }
}
