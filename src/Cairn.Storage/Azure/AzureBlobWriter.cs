using System.Buffers;
using System.Globalization;
using System.Text;

namespace Cairn.Storage.Azure;

/// <summary>
/// Streams a block blob: bytes collect in a pooled buffer of the block size; each full buffer becomes a staged
/// block, uploaded in the background while the next one fills (at most <c>concurrency</c> at a time), and
/// completing commits the block list. An object that fits in one buffer is written with a single Put Blob.
/// </summary>
/// <remarks>Memory: at most <c>concurrency + 1</c> buffers of the block size.</remarks>
internal sealed class AzureBlobWriter : IStorageWriter
{
    private const int MaxBlocks = 50_000;

    private readonly AzureBlobStorage _storage;
    private readonly string _path;
    private readonly int _blockSize;
    private readonly int _concurrency;
    // Block ids must all have the same length within a blob; a per-writer tag keeps concurrent writers of the same
    // name from committing each other's blocks.
    private readonly string _tag = Guid.NewGuid().ToString("N");
    private readonly List<string> _blockIds = [];
    private readonly Queue<(Task Upload, byte[] Buffer)> _inFlight = new();
    // Uploads outlive the WriteAsync call that started them, so they follow the writer's lifetime, not a call's token.
    private readonly CancellationTokenSource _abort = new();
    private byte[]? _buffer;
    private int _buffered;
    private State _state;

    public AzureBlobWriter(AzureBlobStorage storage, string path, int blockSize, int concurrency)
    {
        _storage = storage;
        _path = path;
        _blockSize = blockSize;
        _concurrency = Math.Max(1, concurrency);
    }

    private enum State
    {
        Open,
        Completed,
        Failed,
        Disposed,
    }

    public long BytesWritten { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        try
        {
            while (!data.IsEmpty)
            {
                _buffer ??= ArrayPool<byte>.Shared.Rent(_blockSize);
                if (_buffered == _blockSize)
                {
                    // Staged only once more data arrives, so that an object of exactly one block still goes out as one Put Blob.
                    await StageBufferAsync(cancellationToken).ConfigureAwait(false);
                    _buffer = ArrayPool<byte>.Shared.Rent(_blockSize);
                }
                var n = Math.Min(data.Length, _blockSize - _buffered);
                data.Span[..n].CopyTo(_buffer.AsSpan(_buffered));
                _buffered += n;
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

    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_state == State.Completed)
        {
            return;
        }
        EnsureOpen();
        try
        {
            if (_blockIds.Count == 0)
            {
                var data = _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, _buffered);
                await _storage.RequestRetry.ExecuteAsync($"write {_path}",
                    ct => new ValueTask(_storage.PutBlobAsync(_path, data, ct)), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (_buffered > 0)
                {
                    await StageBufferAsync(cancellationToken).ConfigureAwait(false);
                }
                while (_inFlight.Count > 0)
                {
                    await DrainOneAsync(cancellationToken).ConfigureAwait(false);
                }
                await _storage.RequestRetry.ExecuteAsync($"commit {_path}",
                    ct => new ValueTask(_storage.PutBlockListAsync(_path, _blockIds, ct)), cancellationToken).ConfigureAwait(false);
            }
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

    public async ValueTask DisposeAsync()
    {
        // Nothing to undo on abort: staged blocks that are never committed are invisible and expire on their own.
        // Uploads still running are stopped and awaited, because their buffers go back to the pool only afterwards.
        if (_state != State.Completed)
        {
            _state = State.Disposed;
        }
        await _abort.CancelAsync().ConfigureAwait(false);
        while (_inFlight.TryDequeue(out var pending))
        {
            try
            {
                await pending.Upload.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Abandoned on purpose; whatever it failed with no longer matters.
            }
            ArrayPool<byte>.Shared.Return(pending.Buffer);
        }
        ReturnBuffer();
        _abort.Dispose();
    }

    private async Task StageBufferAsync(CancellationToken cancellationToken)
    {
        if (_blockIds.Count == MaxBlocks)
        {
            throw new StorageException($"Azure Blob write of '{_path}' failed: more than {MaxBlocks} blocks; raise BlockSize",
                isTransient: false, StorageErrorKind.InvalidArgument);
        }
        // A block that already failed ends the writer now rather than at completion.
        while (_inFlight.Count > 0 && (_inFlight.Peek().Upload.IsCompleted || _inFlight.Count >= _concurrency))
        {
            await DrainOneAsync(cancellationToken).ConfigureAwait(false);
        }
        var index = _blockIds.Count;
        var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(_tag + index.ToString("D6", CultureInfo.InvariantCulture)));
        var buffer = _buffer!;
        var data = buffer.AsMemory(0, _buffered);
        _buffer = null;
        _buffered = 0;
        _blockIds.Add(id);
        // Put Block is idempotent (same id, same bytes), so a failed block is simply sent again.
        var upload = _storage.RequestRetry.ExecuteAsync($"write {_path} block {index}",
            ct => new ValueTask(_storage.PutBlockAsync(_path, id, data, ct)), _abort.Token).AsTask();
        _inFlight.Enqueue((upload, buffer));
    }

    private async Task DrainOneAsync(CancellationToken cancellationToken)
    {
        var (upload, buffer) = _inFlight.Peek();
        await upload.WaitAsync(cancellationToken).ConfigureAwait(false);
        _inFlight.Dequeue();
        ArrayPool<byte>.Shared.Return(buffer);
    }

    private void EnsureOpen()
    {
        switch (_state)
        {
            case State.Completed:
                throw new InvalidOperationException($"the writer of '{_path}' is already completed");
            case State.Failed:
                throw new InvalidOperationException($"the writer of '{_path}' failed earlier; start a new one");
            case State.Disposed:
                throw new ObjectDisposedException(nameof(AzureBlobWriter));
        }
    }

    private void ReturnBuffer()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
