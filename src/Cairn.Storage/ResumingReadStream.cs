namespace Cairn.Storage;

/// <summary>
/// A forward-only stream over a byte range of a remote object that survives dropped connections: when the body
/// breaks off (an I/O error, or the server closing before every promised byte arrived) it asks for the rest of the
/// range again, starting at the first byte not yet returned.
/// </summary>
/// <remarks>
/// Used by the Azure Blob and GCS backends, whose SDKs resume downloads only through their own retries, which are off. Attempts are counted per read call and reset whenever bytes
/// arrive, so a long download over a flaky link finishes while a dead server fails after a few tries.
/// The reopen callback is expected to pin the object version (ETag / generation) so a resumed read cannot
/// splice two different versions of an object together.
/// </remarks>
internal sealed class ResumingReadStream : ReadOnlyStream
{
    /// <summary>Opens the body of <c>[offset, offset + count)</c>; throws <see cref="StorageException"/> on failure.</summary>
    public delegate Task<Stream> Reopen(long offset, long count, CancellationToken cancellationToken);

    private readonly Reopen _reopen;
    private readonly long _start;
    private readonly long _length;
    private readonly int _maxAttempts;
    private readonly TimeSpan _idleTimeout;
    private readonly Func<Exception, StorageException> _fail;
    private Stream? _current;
    private long _position;
    private bool _disposed;

    /// <param name="initial">Body of the first response, already positioned at <paramref name="start"/>.</param>
    /// <param name="start">Offset of the range in the object.</param>
    /// <param name="length">Number of bytes the range holds.</param>
    /// <param name="reopen">Requests the remainder of the range.</param>
    /// <param name="maxAttempts">How many times in a row a read may reopen without receiving a byte.</param>
    /// <param name="idleTimeout">How long one read may wait for data before the connection is treated as dead.</param>
    /// <param name="fail">Wraps the last failure once the attempts are used up.</param>
    public ResumingReadStream(Stream? initial, long start, long length, Reopen reopen, int maxAttempts, TimeSpan idleTimeout, Func<Exception, StorageException> fail)
    {
        _idleTimeout = idleTimeout;
        _current = initial;
        _start = start;
        _length = length;
        _reopen = reopen;
        _maxAttempts = Math.Max(0, maxAttempts);
        _fail = fail;
    }

    /// <summary>How many times the stream reopened the range after a failure (for tests and diagnostics).</summary>
    public int Resumes { get; private set; }

    public override bool CanRead => !_disposed;
    public override long Length => _length;

    protected override long ReadPosition => _position;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var remaining = _length - _position;
        if (remaining <= 0 || buffer.IsEmpty)
        {
            return 0;
        }
        var want = buffer[..(int)Math.Min(buffer.Length, remaining)];
        var failures = 0;
        while (true)
        {
            Exception failure;
            try
            {
                if (_current is null)
                {
                    _current = await _reopen(_start + _position, remaining, cancellationToken).ConfigureAwait(false);
                    Resumes++;
                }
                int n;
                // HttpClient's timeout ends when the headers arrive; a body that stalls needs its own deadline.
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    idle.CancelAfter(_idleTimeout);
                    n = await _current.ReadAsync(want, idle.Token).ConfigureAwait(false);
                }
                if (n > 0)
                {
                    _position += n;
                    return n;
                }
                failure = new IOException($"the connection closed after {_position} of {_length} bytes");
            }
            catch (Exception e) when (IsRetryable(e, cancellationToken))
            {
                failure = e;
            }

            await DropCurrentAsync().ConfigureAwait(false);
            if (++failures > _maxAttempts)
            {
                throw _fail(failure);
            }
            await Task.Delay(Backoff(failures), cancellationToken).ConfigureAwait(false);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _disposed = true;
        await DropCurrentAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _disposed = true;
            _current?.Dispose();
            _current = null;
        }
        base.Dispose(disposing);
    }

    private async ValueTask DropCurrentAsync()
    {
        if (_current is { } current)
        {
            _current = null;
            try
            {
                await current.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                // A broken connection may fail again while being torn down; it is being replaced anyway.
            }
        }
    }

    private static bool IsRetryable(Exception e, CancellationToken cancellationToken) => e switch
    {
        StorageException storage => storage.IsTransient,
        IOException or HttpRequestException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static TimeSpan Backoff(int failures) => TimeSpan.FromMilliseconds(Math.Min(2000, 50 << Math.Min(failures, 6)));
}
