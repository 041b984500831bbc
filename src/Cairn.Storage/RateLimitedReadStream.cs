namespace Cairn.Storage;

/// <summary>A read-only stream that pays for the bytes it returns from a shared <see cref="TokenBucket"/>.</summary>
internal sealed class RateLimitedReadStream(Stream inner, TokenBucket bucket) : WrappingReadStream(inner)
{
    public override long Length => Inner.Length;

    protected override long ReadPosition => Inner.Position;

    public override int Read(Span<byte> buffer)
    {
        var n = Inner.Read(buffer);
        bucket.TakeAsync(n, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        await bucket.TakeAsync(n, cancellationToken).ConfigureAwait(false);
        return n;
    }
}
