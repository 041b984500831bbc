using System.IO.Pipelines;

namespace Cairn.Storage.Gcs;

/// <summary>
/// The SDK's download, which pushes into a stream, turned into a stream to pull from: the download runs in the
/// background into a pipe that holds at most a bounded number of bytes, and reads take from the pipe. Failures of the
/// download surface from <see cref="ReadAsync(Memory{byte}, CancellationToken)"/> as <see cref="StorageException"/>s;
/// disposing stops the download.
/// </summary>
internal sealed class GcsDownloadStream : ReadOnlyStream
{
    private const int PipeBytes = 1024 * 1024;

    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: PipeBytes, resumeWriterThreshold: PipeBytes / 2,
        minimumSegmentSize: 64 * 1024, useSynchronizationContext: false));
    private readonly Stream _reader;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _download;
    private readonly string _path;
    private long _position;
    private volatile Exception? _failure;
    private bool _disposed;

    /// <param name="download">Writes the object's bytes into the given stream; cancelled by the token when the reader is disposed.</param>
    /// <param name="path">The object, for messages.</param>
    public GcsDownloadStream(Func<Stream, CancellationToken, Task> download, string path)
    {
        _path = path;
        _reader = _pipe.Reader.AsStream();
        _download = RunAsync(download);
    }

    public override long Length => throw new NotSupportedException();

    protected override long ReadPosition => _position;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int n;
        try
        {
            n = await _reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (GcsErrors.Map(e, "read", _path, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
        if (n == 0 && !buffer.IsEmpty && _failure is { } failure)
        {
            // Every byte that arrived before the failure has been read; now the failure counts.
            throw GcsErrors.Map(failure, "read", _path, CancellationToken.None)!;
        }
        _position += n;
        return n;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _pipe.Reader.CompleteAsync().ConfigureAwait(false);
        await _download.ConfigureAwait(false); // never throws: RunAsync keeps its failure in the pipe
        _stop.Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            // Stops the download without waiting for it: it ends on its own once cancelled and no longer touches this stream.
            _disposed = true;
            _stop.Cancel();
            _pipe.Reader.Complete();
        }
        base.Dispose(disposing);
    }

    private async Task RunAsync(Func<Stream, CancellationToken, Task> download)
    {
        // Off the caller's stack: the download runs as long as the reader wants bytes.
        await Task.Yield();
        try
        {
            var target = _pipe.Writer.AsStream(leaveOpen: true);
            await using (target.ConfigureAwait(false))
            {
                await download(target, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // Kept rather than passed to the pipe, which would throw it at once and drop the bytes still buffered:
            // the reader sees it after the last byte that arrived (and ignores it once disposed).
            _failure = e;
        }
        await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
    }
}
