using System.Buffers;
using System.Globalization;
using System.Text;

namespace Cairn.Testing.Faults;

/// <summary>How an HTTP/1.1 message body is delimited, and relaying it.</summary>
internal sealed class BodyFraming
{
    private BodyFraming(long length, bool chunked, bool untilClose)
    {
        Length = length;
        Chunked = chunked;
        UntilClose = untilClose;
    }

    /// <summary>Content-Length, or 0 when chunked or until close.</summary>
    public long Length { get; }

    public bool Chunked { get; }

    public bool UntilClose { get; }

    public bool HasBody => Chunked || UntilClose || Length > 0;

    public static BodyFraming OfRequest(HttpHead head)
    {
        if (head.HasToken("Transfer-Encoding", "chunked"))
        {
            return new BodyFraming(0, chunked: true, untilClose: false);
        }

        return new BodyFraming(ContentLength(head), chunked: false, untilClose: false);
    }

    public static BodyFraming OfResponse(HttpHead head, string requestMethod)
    {
        var status = head.StatusCode;
        if (requestMethod == "HEAD" || status is 204 or 304 || status is >= 100 and < 200)
        {
            return new BodyFraming(0, chunked: false, untilClose: false);
        }

        if (head.HasToken("Transfer-Encoding", "chunked"))
        {
            return new BodyFraming(0, chunked: true, untilClose: false);
        }

        if (head.Get("Content-Length") is not null)
        {
            return new BodyFraming(ContentLength(head), chunked: false, untilClose: false);
        }

        return new BodyFraming(0, chunked: false, untilClose: true);
    }

    /// <summary>Copies the whole body from <paramref name="source"/> to <paramref name="destination"/> (null discards it).</summary>
    public async Task CopyAsync(HttpReader source, Stream? destination, CancellationToken cancellationToken)
    {
        if (Chunked)
        {
            while (true)
            {
                var sizeLine = await source.ReadLineAsync(cancellationToken).ConfigureAwait(false) ?? throw new IOException("connection closed inside a chunked body");
                await WriteLineAsync(destination, sizeLine, cancellationToken).ConfigureAwait(false);
                var semicolon = sizeLine.IndexOf(';', StringComparison.Ordinal);
                var size = long.Parse(semicolon >= 0 ? sizeLine.AsSpan(0, semicolon).Trim() : sizeLine.AsSpan().Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    // Trailers, then the empty line.
                    while (true)
                    {
                        var trailer = await source.ReadLineAsync(cancellationToken).ConfigureAwait(false) ?? throw new IOException("connection closed inside trailers");
                        await WriteLineAsync(destination, trailer, cancellationToken).ConfigureAwait(false);
                        if (trailer.Length == 0)
                        {
                            return;
                        }
                    }
                }
                await CopyBytesAsync(source, destination, size, cancellationToken).ConfigureAwait(false);
                var crlf = await source.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (crlf is not { Length: 0 })
                {
                    throw new FormatException("chunk not followed by CRLF");
                }

                await WriteLineAsync(destination, "", cancellationToken).ConfigureAwait(false);
            }
        }
        if (UntilClose)
        {
            await CopyBytesAsync(source, destination, long.MaxValue, cancellationToken).ConfigureAwait(false);
            return;
        }
        await CopyBytesAsync(source, destination, Length, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies at most <paramref name="budget"/> raw bytes of the body (framing included), for cutting it short.</summary>
    public Task CopyPrefixAsync(HttpReader source, Stream destination, long budget, CancellationToken cancellationToken) =>
        CopyBytesAsync(source, destination, Chunked || UntilClose ? budget : Math.Min(budget, Length), cancellationToken, stopAtEnd: true);

    private static async Task CopyBytesAsync(HttpReader source, Stream? destination, long count, CancellationToken cancellationToken, bool stopAtEnd = false)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (count > 0)
            {
                var n = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    if (count == long.MaxValue || stopAtEnd)
                    {
                        return;
                    }

                    throw new IOException("connection closed inside a body");
                }
                if (destination is not null)
                {
                    await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                }

                if (count != long.MaxValue)
                {
                    count -= n;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task WriteLineAsync(Stream? destination, string line, CancellationToken cancellationToken)
    {
        if (destination is null)
        {
            return;
        }

        await destination.WriteAsync(Encoding.Latin1.GetBytes(line + "\r\n"), cancellationToken).ConfigureAwait(false);
    }

    private static long ContentLength(HttpHead head)
    {
        var text = head.Get("Content-Length");
        if (text is null)
        {
            return 0;
        }

        return long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
