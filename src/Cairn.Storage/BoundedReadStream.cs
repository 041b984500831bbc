namespace Cairn.Storage;

/// <summary>Reads at most a given number of bytes from an inner stream, then reports end of stream.</summary>
internal sealed class BoundedReadStream(Stream inner, long limit) : WrappingReadStream(inner)
{
    private readonly long _limit = limit;
    private long _remaining = limit;
    private long _position;

    public override long Length => _limit;

    protected override long ReadPosition => _position;

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0)
        {
            return 0;
        }

        var n = Inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= n;
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining <= 0)
        {
            return 0;
        }

        var n = await Inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        _remaining -= n;
        _position += n;
        return n;
    }
}
