using System.Buffers;
using System.Net;
using System.Threading.Channels;

namespace Cairn.Storage.Gcs;

/// <summary>
/// A request body of unknown length (sent with chunked transfer encoding) fed by a writer while the request is in
/// flight. Buffers are handed over whole and returned to the pool once written, so at most two of them are held here.
/// </summary>
internal sealed class GcsStreamingContent : HttpContent
{
    private readonly Channel<(byte[] Buffer, int Count)> _chunks =
        Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });

    /// <summary>Queues a pooled buffer; the content owns it from now on. Waits while the previous one is still queued.</summary>
    public async ValueTask PushAsync(byte[] buffer, int count, CancellationToken cancellationToken)
    {
        try
        {
            await _chunks.Writer.WriteAsync((buffer, count), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Ends the body (normally), or breaks it off with <paramref name="error"/>.</summary>
    public void Finish(Exception? error = null) => _chunks.Writer.TryComplete(error);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (buffer, count) in _chunks.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await stream.WriteAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e)
        {
            // Unblock a writer waiting to push; it will then see the request's own failure.
            _chunks.Writer.TryComplete(e);
            throw;
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _chunks.Writer.TryComplete();
            while (_chunks.Reader.TryRead(out var left))
            {
                ArrayPool<byte>.Shared.Return(left.Buffer);
            }
        }
        base.Dispose(disposing);
    }
}
