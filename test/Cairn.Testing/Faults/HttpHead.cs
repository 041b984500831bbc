using System.Globalization;
using System.Text;

namespace Cairn.Testing.Faults;

/// <summary>The start line and headers of an HTTP/1.1 request or response, kept in their original order and spelling.</summary>
internal sealed class HttpHead
{
    private HttpHead(string startLine, List<KeyValuePair<string, string>> headers)
    {
        StartLine = startLine;
        Headers = headers;
    }

    public string StartLine { get; }

    public List<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The status code of a response head (0 for a request).</summary>
    public int StatusCode
    {
        get
        {
            if (!StartLine.StartsWith("HTTP/", StringComparison.Ordinal))
            {
                return 0;
            }

            var parts = StartLine.Split(' ', 3);
            return parts.Length > 1 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : 0;
        }
    }

    /// <summary>Reads a head; null when the stream ends cleanly before it starts.</summary>
    public static async ValueTask<HttpHead?> ReadAsync(HttpReader reader, CancellationToken cancellationToken)
    {
        var start = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        while (start is { Length: 0 })
        {
            start = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false); // stray CRLF between messages
        }

        if (start is null)
        {
            return null;
        }

        var headers = new List<KeyValuePair<string, string>>();
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) ?? throw new IOException("connection closed inside a header block");
            if (line.Length == 0)
            {
                break;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new FormatException($"malformed header line \"{line}\"");
            }

            headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }
        return new HttpHead(start, headers);
    }

    public string? Get(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        return null;
    }

    /// <summary>Whether a comma-separated header contains <paramref name="token"/> (case-insensitive).</summary>
    public bool HasToken(string name, string token)
    {
        foreach (var (key, value) in Headers)
        {
            if (!string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var part in value.Split(','))
            {
                if (string.Equals(part.Trim(), token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }
        return false;
    }

    public byte[] Encode()
    {
        var builder = new StringBuilder(StartLine).Append("\r\n");
        foreach (var (key, value) in Headers)
        {
            builder.Append(key).Append(": ").Append(value).Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(builder.Append("\r\n").ToString());
    }
}
