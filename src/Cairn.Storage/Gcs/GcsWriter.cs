using System.Globalization;
using System.Net;
using System.Text.Json;
using Cairn.Storage.Http;

namespace Cairn.Storage.Gcs;

/// <summary>
/// Streams one object. Bytes collect in a pooled buffer of the chunk size; an object that fits in it is written with
/// one multipart upload at completion. Anything larger goes through a resumable upload session, either chunk by chunk
/// (<see cref="GcsUploadMode.Chunked"/>) or as the body of one streaming PUT (<see cref="GcsUploadMode.SingleRequest"/>).
/// A session publishes nothing until its last byte is in, so abandoning the writer leaves no object.
/// </summary>
internal sealed class GcsWriter : BufferedUploadWriter
{
    private static readonly TimeSpan CancelTimeout = TimeSpan.FromSeconds(10);

    private readonly GcsStorage _storage;
    private readonly GcsUploadMode _mode;
    private readonly int _attempts;
    private Uri? _session;
    private long _committed;
    private GcsStreamingContent? _content;
    private HttpRequestMessage? _streamRequest;
    private Task<HttpResponseMessage>? _send;
    private CancellationTokenSource? _sendCancel;

    public GcsWriter(GcsStorage storage, string path, int chunkSize, GcsUploadMode mode, int attempts)
        : base(path, chunkSize)
    {
        _storage = storage;
        _mode = mode;
        _attempts = attempts;
    }

    protected override async Task CompleteCoreAsync(CancellationToken cancellationToken)
    {
        if (_session is null)
        {
            var data = BufferedData();
            await _storage.RequestRetry.ExecuteAsync($"write {TargetPath}",
                ct => new ValueTask(_storage.UploadMultipartAsync(TargetPath, data, ct)), cancellationToken).ConfigureAwait(false);
        }
        else if (_mode == GcsUploadMode.Chunked)
        {
            await SendChunksAsync(final: true, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await FinishStreamAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async ValueTask DisposeCoreAsync(bool completed)
    {
        if (!completed)
        {
            await AbortAsync().ConfigureAwait(false);
        }
        _sendCancel?.Dispose();
        _streamRequest?.Dispose();
    }

    // A full buffer is sent only once more data arrives: the last chunk must carry the total size.
    protected override async Task FlushFullBufferAsync(CancellationToken cancellationToken)
    {
        _session ??= await _storage.RequestRetry.ExecuteAsync($"write {TargetPath} (start upload session)",
            async ct => await _storage.StartResumableAsync(TargetPath, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (_mode == GcsUploadMode.Chunked)
        {
            await SendChunksAsync(final: false, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await PushStreamAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- Chunked: one PUT per chunk, each answered 308 with the range the service holds so far. ----

    private async Task SendChunksAsync(bool final, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (true)
        {
            var count = Filled;
            var total = _committed + count;
            var range = final
                ? count > 0 ? $"bytes {_committed}-{total - 1}/{total}" : $"bytes */{total}"
                : $"bytes {_committed}-{total - 1}/*";
            StorageException failure;
            HttpResponseMessage? response = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, _session) { Content = new ReadOnlyMemoryContent(CurrentBuffer.AsMemory(0, count)) };
                request.Content.Headers.TryAddWithoutValidation("Content-Range", range);
                response = await _storage.SendAsync("write", TargetPath, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                if (await HandleAnswerAsync(response, final, total, cancellationToken).ConfigureAwait(false) is { } done)
                {
                    if (done)
                    {
                        return;
                    }
                    continue; // the service kept only part of the final chunk: send the rest
                }
                failure = await GcsErrors.Mapper.FromResponseAsync("write", TargetPath, response, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException e) when (e.IsTransient)
            {
                failure = e;
            }
            finally
            {
                response?.Dispose();
            }
            if (!failure.IsTransient)
            {
                throw failure;
            }

            // The chunk may or may not have arrived: ask the session what it holds, then go on from there.
            while (true)
            {
                if (++failures > _attempts)
                {
                    throw failure;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(100 << Math.Min(failures, 5)), cancellationToken).ConfigureAwait(false);
                try
                {
                    if (await ResyncAsync(final, total, cancellationToken).ConfigureAwait(false) || (!final && Filled < count))
                    {
                        // Complete (the final chunk had arrived, only its answer was lost), or an intermediate chunk
                        // at least partly stored, whose rest stays at the front of the buffer for the next one.
                        return;
                    }
                    break; // nothing of it arrived: send it again, still counting attempts
                }
                catch (StorageException e) when (e.IsTransient)
                {
                    failure = e;
                }
            }
        }
    }

    /// <summary>
    /// Interprets the answer to a chunk: true when this call's work is done (an intermediate chunk stored, or the
    /// object complete), false when part of the final chunk must be sent again, null when the answer is an error.
    /// </summary>
    private async Task<bool?> HandleAnswerAsync(HttpResponseMessage response, bool final, long total, CancellationToken cancellationToken)
    {
        if ((int)response.StatusCode == 308)
        {
            Consume(PersistedEnd(response));
            return !final;
        }
        if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created)
        {
            var size = await ObjectSizeAsync(response, cancellationToken).ConfigureAwait(false);
            if (!final)
            {
                await DeleteEarlyObjectAsync(cancellationToken).ConfigureAwait(false);
                throw new StorageException(
                    $"GCS write of '{TargetPath}' failed: the server finished the upload after {size} bytes although more were coming; " +
                    "it does not support chunked resumable uploads (use GcsUploadMode.SingleRequest)", false, StorageErrorKind.ServerError);
            }
            VerifySize(size, total);
            Filled = 0;
            return true;
        }
        return null;
    }

    /// <summary>
    /// Asks the session how much it holds (after a failed chunk) and drops those bytes from the buffer. Returns true
    /// when the session reports the object complete.
    /// </summary>
    private async Task<bool> ResyncAsync(bool final, long total, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, _session) { Content = new ByteArrayContent([]) };
        request.Content.Headers.TryAddWithoutValidation("Content-Range", "bytes */*");
        using var response = await _storage.SendAsync("write", TargetPath, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (await HandleAnswerAsync(response, final, total, cancellationToken).ConfigureAwait(false) is null)
        {
            throw await GcsErrors.Mapper.FromResponseAsync("write", TargetPath, response, cancellationToken).ConfigureAwait(false);
        }
        return (int)response.StatusCode != 308;
    }

    private long PersistedEnd(HttpResponseMessage response)
    {
        // "Range: bytes=0-N" means bytes up to N are stored; no header means none are.
        if (response.Headers.TryGetValues("Range", out var values))
        {
            var text = values.First();
            var dash = text.LastIndexOf('-');
            if (dash > 0 && long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            {
                return last + 1;
            }
        }
        return 0;
    }

    private void Consume(long persistedEnd)
    {
        var consumed = persistedEnd - _committed;
        if (consumed < 0 || consumed > Filled)
        {
            throw new StorageException($"GCS write of '{TargetPath}' failed: the service reports {persistedEnd} bytes stored, expected {_committed}–{_committed + Filled}",
                false, StorageErrorKind.ServerError);
        }
        if (consumed < Filled)
        {
            Buffer.BlockCopy(CurrentBuffer!, (int)consumed, CurrentBuffer!, 0, Filled - (int)consumed);
        }
        Filled -= (int)consumed;
        _committed = persistedEnd;
    }

    private async Task DeleteEarlyObjectAsync(CancellationToken cancellationToken)
    {
        // The server published a truncated object; take it down so nothing partial stays visible.
        try
        {
            await _storage.DeleteAsync(TargetPath, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException)
        {
            // Reported through the exception the caller is about to get.
        }
    }

    // ---- SingleRequest: one PUT whose body is fed while it is being sent. ----

    private async Task PushStreamAsync(CancellationToken cancellationToken)
    {
        if (_content is null)
        {
            _content = new GcsStreamingContent();
            _sendCancel = new CancellationTokenSource();
            _streamRequest = new HttpRequestMessage(HttpMethod.Put, _session) { Content = _content };
            _send = _storage.SendAsync("write", TargetPath, _streamRequest, HttpCompletionOption.ResponseContentRead, _sendCancel.Token, unbounded: true);
            var content = _content;
            // If the request ends early (refused, reset, rejected), a writer waiting to push must not wait forever.
            _ = _send.ContinueWith(t => content.Finish(t.Exception?.GetBaseException() ?? new IOException("the upload request ended")),
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        var buffer = CurrentBuffer!;
        var count = Filled;
        CurrentBuffer = null;
        Filled = 0;
        try
        {
            await _content.PushAsync(buffer, count, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The body was broken off because the request ended; its outcome says why.
            await ThrowSendFailureAsync(cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    private async Task FinishStreamAsync(CancellationToken cancellationToken)
    {
        if (Filled > 0)
        {
            await PushStreamAsync(cancellationToken).ConfigureAwait(false);
        }
        _content!.Finish();
        HttpResponseMessage response;
        try
        {
            response = await _send!.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StorageException($"GCS write of '{TargetPath}' failed: the upload was cancelled", true, StorageErrorKind.Network);
        }
        using (response)
        {
            await _storage.EnsureSuccessAsync("write", TargetPath, response, cancellationToken).ConfigureAwait(false);
            VerifySize(await ObjectSizeAsync(response, cancellationToken).ConfigureAwait(false), BytesWritten);
        }
    }

    private async Task ThrowSendFailureAsync(CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _send!.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not StorageException)
        {
            throw GcsErrors.Mapper.FromException("write", TargetPath, e, cancellationToken);
        }
        using (response)
        {
            await _storage.EnsureSuccessAsync("write", TargetPath, response, cancellationToken).ConfigureAwait(false);
            throw new StorageException($"GCS write of '{TargetPath}' failed: the server answered before the upload was complete", false, StorageErrorKind.ServerError);
        }
    }

    // ---- Shared ----

    private async Task AbortAsync()
    {
        if (_send is not null)
        {
            // Breaking the body off mid-way: the server never sees the end of the object, so it publishes nothing.
            await _sendCancel!.CancelAsync().ConfigureAwait(false);
            _content!.Finish(new OperationCanceledException("upload aborted"));
            try
            {
                (await _send.ConfigureAwait(false)).Dispose();
            }
            catch (Exception e) when (e is StorageException or OperationCanceledException or HttpRequestException or IOException)
            {
                // Expected: the request was cancelled on purpose.
            }
        }
        if (_session is not null)
        {
            // Real GCS cancels a session on DELETE (answering 499); servers without that simply let it expire.
            using var timeout = new CancellationTokenSource(CancelTimeout);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Delete, _session);
                using var response = await _storage.SendAsync("abort", TargetPath, request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is StorageException or OperationCanceledException)
            {
                // Best effort.
            }
        }
    }

    private static async Task<long> ObjectSizeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(body);
        return GcsStorage.ParseSize(document.RootElement);
    }

    private void VerifySize(long stored, long expected)
    {
        if (stored != expected)
        {
            throw new StorageException($"GCS write of '{TargetPath}' failed: the service stored {stored} bytes, {expected} were sent", false, StorageErrorKind.ServerError);
        }
    }
}
