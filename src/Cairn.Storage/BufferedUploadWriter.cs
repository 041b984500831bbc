using System.Buffers;

namespace Cairn.Storage;

/// <summary>
/// The part of an object writer that the Azure Blob and GCS backends share: bytes collect in a pooled buffer of a fixed size, a
/// full buffer is handed to the backend only once more data arrives (so an object of exactly one buffer can still go
/// out as a single request at completion), and the writer's life runs Open → Completed, or Failed / Disposed.
/// </summary>
internal abstract class BufferedUploadWriter : IStorageWriter
{
    private readonly int _bufferSize;
    private State _state;

    protected BufferedUploadWriter(string path, int bufferSize)
    {
        TargetPath = path;
        _bufferSize = bufferSize;
    }

    private enum State
    {
        Open,
        Completed,
        Failed,
        Disposed,
    }

    /// <inheritdoc/>
    public long BytesWritten { get; private set; }

    /// <summary>The object's path in the storage.</summary>
    protected string TargetPath { get; }

    /// <summary>The buffer being filled, or null when none is rented; a subclass that takes it sets this to null.</summary>
    protected byte[]? CurrentBuffer { get; set; }

    /// <summary>How many bytes at the front of <see cref="CurrentBuffer"/> wait to be sent.</summary>
    protected int Filled { get; set; }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        try
        {
            while (!data.IsEmpty)
            {
                CurrentBuffer ??= ArrayPool<byte>.Shared.Rent(_bufferSize);
                if (Filled == _bufferSize)
                {
                    await FlushFullBufferAsync(cancellationToken).ConfigureAwait(false);
                    CurrentBuffer ??= ArrayPool<byte>.Shared.Rent(_bufferSize);
                }
                var n = Math.Min(data.Length, _bufferSize - Filled);
                data.Span[..n].CopyTo(CurrentBuffer.AsSpan(Filled));
                Filled += n;
                BytesWritten += n;
                data = data[n..];
            }
        }
        catch
        {
            _state = State.Failed;
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_state == State.Completed)
        {
            return;
        }
        EnsureOpen();
        try
        {
            await CompleteCoreAsync(cancellationToken).ConfigureAwait(false);
            _state = State.Completed;
        }
        catch
        {
            _state = State.Failed;
            throw;
        }
        finally
        {
            ReturnBuffer();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        var completed = _state == State.Completed;
        if (!completed)
        {
            _state = State.Disposed;
        }
        await DisposeCoreAsync(completed).ConfigureAwait(false);
        ReturnBuffer();
    }

    /// <summary>Sends (or takes, setting <see cref="CurrentBuffer"/> to null) a full buffer, because more data follows.</summary>
    protected abstract Task FlushFullBufferAsync(CancellationToken cancellationToken);

    /// <summary>Sends what is buffered and publishes the object.</summary>
    protected abstract Task CompleteCoreAsync(CancellationToken cancellationToken);

    /// <summary>Stops and releases what the backend holds; abandons the upload unless <paramref name="completed"/>.</summary>
    protected abstract ValueTask DisposeCoreAsync(bool completed);

    /// <summary>The bytes buffered so far (empty when nothing was ever written).</summary>
    protected ReadOnlyMemory<byte> BufferedData() => CurrentBuffer is null ? ReadOnlyMemory<byte>.Empty : CurrentBuffer.AsMemory(0, Filled);

    private void EnsureOpen()
    {
        switch (_state)
        {
            case State.Completed:
                throw new InvalidOperationException($"the writer of '{TargetPath}' is already completed");
            case State.Failed:
                throw new InvalidOperationException($"the writer of '{TargetPath}' failed earlier; start a new one");
            case State.Disposed:
                throw new ObjectDisposedException(GetType().Name);
        }
    }

    private void ReturnBuffer()
    {
        if (CurrentBuffer is { } buffer)
        {
            CurrentBuffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
