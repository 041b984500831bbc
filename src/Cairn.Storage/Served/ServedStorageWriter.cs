namespace Cairn.Storage.Served;

/// <summary>
/// One streaming <c>PUT</c>: bytes go straight onto the connection as they are written; the server writes them to a
/// temporary file and publishes the object by rename only when the body ends normally. A failed or abandoned upload
/// leaves nothing behind; it is not resumed (its bytes are gone), so the caller writes the object again.
/// </summary>
internal sealed class ServedStorageWriter : IStorageWriter
{
    private readonly ServedStorage _storage;
    private readonly string _path;
    private readonly PushContent _content = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly Task<HttpResponseMessage> _send;
    private bool _completed;
    private bool _disposed;

    public ServedStorageWriter(ServedStorage storage, string path, HttpRequestMessage request)
    {
        _storage = storage;
        _path = path;
        request.Content = _content;
        // The server refuses a wrong token before it asks for the body, so none of it is sent in vain.
        request.Headers.ExpectContinue = true;
        request.Headers.TransferEncodingChunked = true;
        _send = storage.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _abort.Token);
    }

    public long BytesWritten { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ThrowIfDone();
        var stream = await BodyAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
        {
            throw await FailureAsync(e).ConfigureAwait(false);
        }

        BytesWritten += data.Length;
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDone();
        var stream = await BodyAsync(cancellationToken).ConfigureAwait(false);
        HttpResponseMessage response;
        try
        {
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            _content.Finish();
            response = await _send.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ServedErrors.FromFailure(e, "upload", _path, cancellationToken) is { } mapped)
        {
            throw mapped;
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await ServedErrors.FromResponseAsync(response, "upload", _path, _storage.Endpoint).ConfigureAwait(false);
            }
        }

        _completed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_completed)
        {
            _content.Abort(new IOException($"the upload of '{_path}' was abandoned"));
            await _abort.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            using var response = await _send.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            // An abandoned upload fails by design; the server drops what it got.
        }

        _content.Dispose();
        _abort.Dispose();
    }

    // The connection's stream, or the server's early answer (a refused token, a bad path) as an exception.
    private async Task<Stream> BodyAsync(CancellationToken cancellationToken)
    {
        try
        {
            var first = await Task.WhenAny(_content.Stream, _send).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (first == _content.Stream)
            {
                return await _content.Stream.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }

        throw await FailureAsync(null).ConfigureAwait(false);
    }

    private async Task<StorageException> FailureAsync(Exception? writeError)
    {
        HttpResponseMessage response;
        try
        {
            response = await _send.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return ServedErrors.FromFailure(writeError is not null && e is TimeoutException ? writeError : e, "upload", _path, CancellationToken.None)!;
        }

        using (response)
        {
            return response.IsSuccessStatusCode
                ? new StorageException($"br local server upload of '{_path}' failed: the server answered before the whole body was sent", isTransient: true, StorageErrorKind.Network, writeError)
                : await ServedErrors.FromResponseAsync(response, "upload", _path, _storage.Endpoint).ConfigureAwait(false);
        }
    }

    private void ThrowIfDone()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException($"the writer of {_path} is already complete");
        }
    }
}
