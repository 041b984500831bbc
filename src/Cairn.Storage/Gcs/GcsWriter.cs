using System.IO.Pipelines;
using Google.Apis.Upload;

namespace Cairn.Storage.Gcs;

/// <summary>
/// Streams one object into GCS. Bytes collect in a pooled buffer of one chunk; an object that fits in it is uploaded
/// from memory at completion (a resumable session with one PUT, retried whole). Anything larger goes through the
/// SDK's resumable upload fed from a bounded pipe: the SDK sends chunks of <see cref="GcsOptions.ChunkSize"/>, each its
/// own PUT answered 308, and the last names the total. A session publishes nothing until its last byte is in, so
/// abandoning the writer leaves no object; it is also cancelled (DELETE) so that the service can drop it at once.
/// </summary>
/// <remarks>
/// The SDK's own resumption after a failed chunk is off (it tries each request once); this writer resumes instead, so
/// that attempts are counted and backed off in one place: after a failure it asks the session how many bytes it holds
/// (<c>Content-Range: bytes */*</c>) and the SDK goes on from there, resending from its chunk buffer what the
/// service did not keep. Memory: this writer's buffer, the pipe (one chunk) and the SDK's chunk buffer.
/// </remarks>
internal sealed class GcsWriter : BufferedUploadWriter
{
    private static readonly TimeSpan CancelTimeout = TimeSpan.FromSeconds(10);

    private readonly GcsStorage _storage;
    private readonly int _chunkSize;
    private readonly int _attempts;
    private Pipe? _pipe;
    private Uri? _sessionUri;
    private Task<long>? _session;
    private CancellationTokenSource? _stop;

    public GcsWriter(GcsStorage storage, string path, int chunkSize, int attempts)
        : base(path, chunkSize)
    {
        _storage = storage;
        _chunkSize = chunkSize;
        _attempts = attempts;
    }

    protected override async Task CompleteCoreAsync(CancellationToken cancellationToken)
    {
        if (_session is null)
        {
            var data = BufferedData();
            await _storage.RequestRetry.ExecuteAsync($"write {TargetPath}", ct => new ValueTask(UploadSmallAsync(data, ct)), cancellationToken).ConfigureAwait(false);
            return;
        }
        if (Filled > 0)
        {
            await PushAsync(cancellationToken).ConfigureAwait(false);
        }
        await ThrowIfSessionEndedAsync().ConfigureAwait(false);
        // The end of the pipe is the end of the object: the SDK sends its last chunk with the total size.
        await _pipe!.Writer.CompleteAsync().ConfigureAwait(false);
        var stored = await _session.WaitAsync(cancellationToken).ConfigureAwait(false);
        VerifySize(stored, BytesWritten);
    }

    protected override async ValueTask DisposeCoreAsync(bool completed)
    {
        if (_session is null)
        {
            return;
        }
        if (!completed)
        {
            await AbortAsync().ConfigureAwait(false);
        }
        _stop!.Dispose();
    }

    // A full buffer is passed on only once more data arrives, so that an object of exactly one chunk still goes
    // out as one upload from memory.
    protected override async Task FlushFullBufferAsync(CancellationToken cancellationToken)
    {
        if (_session is null)
        {
            await StartSessionAsync(cancellationToken).ConfigureAwait(false);
        }
        await PushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task UploadSmallAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            using var content = BackendHelpers.AsStream(data);
            var stored = await _storage.Client.UploadObjectAsync(_storage.NewObject(TargetPath), content, _storage.UploadOptions(), cancellationToken, progress: null).ConfigureAwait(false);
            VerifySize((long)(stored.Size ?? 0), data.Length);
        }
        catch (Exception e) when (GcsErrors.Map(e, "write", TargetPath, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    private async Task StartSessionAsync(CancellationToken cancellationToken)
    {
        // Starting a session creates nothing visible, so a failed start is simply repeated.
        var uri = await _storage.RequestRetry.ExecuteAsync($"write {TargetPath} (start upload session)", async ct =>
        {
            try
            {
                return await _storage.Client.InitiateUploadSessionAsync(_storage.NewObject(TargetPath), contentLength: null, _storage.UploadOptions(), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (GcsErrors.Map(e, "write", TargetPath, ct) is { } mapped)
            {
                throw mapped;
            }
        }, cancellationToken).ConfigureAwait(false);
        _sessionUri = uri;
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: _chunkSize, resumeWriterThreshold: _chunkSize / 2,
            minimumSegmentSize: 64 * 1024, useSynchronizationContext: false));
        _stop = new CancellationTokenSource();
        // A stream of unknown length: the SDK sends "bytes a-b/*" chunks and names the total with the last one.
        var upload = ResumableUpload.CreateFromUploadUri(uri, _pipe.Reader.AsStream(leaveOpen: true),
            new ResumableUploadOptions { HttpClient = _storage.Client.Service.HttpClient });
        upload.ChunkSize = _chunkSize;
        // The session outlives the WriteAsync call that started it, so it follows the writer's lifetime, not a call's token.
        _session = RunSessionAsync(upload, _stop.Token);
    }

    private async Task PushAsync(CancellationToken cancellationToken)
    {
        await ThrowIfSessionEndedAsync().ConfigureAwait(false);
        var result = await _pipe!.Writer.WriteAsync(CurrentBuffer.AsMemory(0, Filled), cancellationToken).ConfigureAwait(false);
        Filled = 0;
        if (result.IsCompleted)
        {
            // The session stopped reading: it failed, or the server ended the upload early. It closes the pipe just
            // before it ends, so wait for that end, then report it.
            await ((Task)_session!).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await ThrowIfSessionEndedAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Throws when the session has ended although bytes are still coming: its failure, or an early end.</summary>
    private async Task ThrowIfSessionEndedAsync()
    {
        if (_session is not { IsCompleted: true } session)
        {
            return;
        }
        var stored = await session.ConfigureAwait(false); // rethrows the session's StorageException; else the size stored
        // A server that completes a resumable session at its first chunk (the firebase-tools emulator does) has
        // published a truncated object: take it down so that nothing partial stays visible.
        try
        {
            await _storage.DeleteAsync(TargetPath, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageException)
        {
            // Reported through the exception below.
        }
        throw new StorageException(
            $"GCS write of '{TargetPath}' failed: the server finished the upload after {stored} bytes although more were coming; " +
            "it does not support chunked resumable uploads", false, StorageErrorKind.ServerError);
    }

    /// <summary>Feeds the session from the pipe to its end, resuming after transient failures; returns the size stored.</summary>
    private async Task<long> RunSessionAsync(ResumableUpload upload, CancellationToken cancellationToken)
    {
        // Off the writer's stack: the SDK reads the pipe for as long as the writer feeds it.
        await Task.Yield();
        try
        {
            var progress = await upload.UploadAsync(cancellationToken).ConfigureAwait(false);
            var failures = 0;
            var confirmed = 0L;
            while (progress.Status != UploadStatus.Completed)
            {
                var failure = GcsErrors.Map(progress.Exception ?? new IOException("the upload stopped"), "write", TargetPath, cancellationToken)
                    ?? throw new OperationCanceledException(cancellationToken);
                if (!failure.IsTransient)
                {
                    throw failure;
                }
                if (progress.BytesSent > confirmed)
                {
                    // Progress since the last failure: the attempts count failures in a row.
                    confirmed = progress.BytesSent;
                    failures = 0;
                }
                if (++failures > _attempts)
                {
                    throw failure;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(100 << Math.Min(failures, 5)), cancellationToken).ConfigureAwait(false);
                // Asks the session what it holds, then sends from there; starts a new session if none was created.
                progress = await upload.ResumeAsync(cancellationToken).ConfigureAwait(false);
            }
            // The final answer describes the object, but the untyped upload does not parse it; the metadata says the same.
            return await _storage.RequestRetry.ExecuteAsync($"write {TargetPath} (read back the size)",
                ct => new ValueTask<long>(_storage.StoredSizeAsync(TargetPath, ct)), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A writer blocked on a full pipe must learn that nobody reads it any more.
            await _pipe!.Reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task AbortAsync()
    {
        // Break the stream off mid-way: the SDK never sees the end of the object, so the service publishes nothing.
        await _stop!.CancelAsync().ConfigureAwait(false);
        await _pipe!.Writer.CompleteAsync(new OperationCanceledException("upload aborted")).ConfigureAwait(false);
        try
        {
            await _session!.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Stopped on purpose; whatever it ended with no longer matters.
        }
        if (_sessionUri is { } session)
        {
            // GCS cancels a session on DELETE (answering 499); servers without that let it expire after a week.
            using var timeout = new CancellationTokenSource(CancelTimeout);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Delete, session);
                using var response = await _storage.Client.Service.HttpClient.SendAsync(request, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
            {
                // Best effort.
            }
        }
    }

    private void VerifySize(long stored, long expected)
    {
        if (stored != expected)
        {
            throw new StorageException($"GCS write of '{TargetPath}' failed: the service stored {stored} bytes, {expected} were sent", false, StorageErrorKind.ServerError);
        }
    }
}
