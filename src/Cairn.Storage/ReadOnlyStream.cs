namespace Cairn.Storage;

/// <summary>
/// Base of the storage's forward-only read streams: the read entry points funnel into
/// <see cref="ReadAsync(Memory{byte}, CancellationToken)"/> and <see cref="Read(Span{byte})"/>, and seeking or
/// writing is not supported.
/// </summary>
internal abstract class ReadOnlyStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;

    public override long Position
    {
        get => ReadPosition;
        set => throw new NotSupportedException("The stream is forward-only; open a new reader at the wanted offset.");
    }

    /// <summary>How many bytes the stream has returned (or where its source stands).</summary>
    protected abstract long ReadPosition { get; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Reads synchronously through <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>; synchronous
    /// callers (Stream.CopyTo) are rare, and the pooled array keeps this path allocation-free.</summary>
    public override int Read(Span<byte> buffer)
    {
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var n = ReadAsync(rented.AsMemory(0, buffer.Length)).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
