using System.Text;

namespace Cairn.Testing.Faults;

/// <summary>Buffered reading of an HTTP/1.1 byte stream: header lines, then raw body bytes.</summary>
internal sealed class HttpReader(Stream stream)
{
    private const int MaxLine = 64 * 1024;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>Reads one CRLF-terminated line (without the CRLF); null at a clean end of stream before any byte.</summary>
    public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                if (line.Length == 0)
                {
                    return null;
                }

                throw new IOException("connection closed in the middle of a header line");
            }
            var span = _buffer.AsSpan(_start, _end - _start);
            var lf = span.IndexOf((byte)'\n');
            if (lf < 0)
            {
                line.Append(Encoding.Latin1.GetString(span));
                _start = _end;
            }
            else
            {
                line.Append(Encoding.Latin1.GetString(span[..lf]));
                _start += lf + 1;
                if (line.Length > 0 && line[^1] == '\r')
                {
                    line.Length--;
                }

                return line.ToString();
            }
            if (line.Length > MaxLine)
            {
                throw new FormatException("header line too long");
            }
        }
    }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes; 0 at end of stream.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_start < _end)
        {
            var n = Math.Min(buffer.Length, _end - _start);
            _buffer.AsMemory(_start, n).CopyTo(buffer);
            _start += n;
            return n;
        }
        return await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        return _end > 0;
    }
}
