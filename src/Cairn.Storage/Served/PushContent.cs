using System.Net;

namespace Cairn.Storage.Served;

/// <summary>
/// A request body that the writer pushes into: HttpClient hands over the connection's stream when it is ready to
/// send (after the server's <c>100 Continue</c>), the writer writes straight into it, and the body ends when the
/// writer finishes it; aborting it breaks the request off, so the server never publishes a partial object.
/// </summary>
internal sealed class PushContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PushContent()
    {
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
    }

    /// <summary>The stream to write the body into, once HttpClient has started sending it.</summary>
    public Task<Stream> Stream => _stream.Task;

    /// <summary>Ends the body normally.</summary>
    public void Finish() => _done.TrySetResult();

    /// <summary>Breaks the body off.</summary>
    public void Abort(Exception reason) => _done.TrySetException(reason);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _stream.TrySetResult(stream);
        await _done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
