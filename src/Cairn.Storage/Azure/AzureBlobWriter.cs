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
internal sealed class AzureBlobWriter : BufferedUploadWriter
{
    private const int MaxBlocks = 50_000;

    private readonly AzureBlobStorage _storage;
    private readonly int _concurrency;
    // Block ids must all have the same length within a blob; a per-writer tag keeps concurrent writers of the same
    // name from committing each other's blocks.
    private readonly string _tag = Guid.NewGuid().ToString("N");
    private readonly List<string> _blockIds = [];
    private readonly Queue<(Task Upload, byte[] Buffer)> _inFlight = new();
    // Uploads outlive the WriteAsync call that started them, so they follow the writer's lifetime, not a call's token.
    private readonly CancellationTokenSource _abort = new();

    public AzureBlobWriter(AzureBlobStorage storage, string path, int blockSize, int concurrency)
        : base(path, blockSize)
    {
        _storage = storage;
        _concurrency = Math.Max(1, concurrency);
    }

    // Staged only once more data arrives, so that an object of exactly one block still goes out as one Put Blob.
    protected override Task FlushFullBufferAsync(CancellationToken cancellationToken) => StageBufferAsync(cancellationToken);

    protected override async Task CompleteCoreAsync(CancellationToken cancellationToken)
    {
        if (_blockIds.Count == 0)
        {
            var data = BufferedData();
            await _storage.RequestRetry.ExecuteAsync($"write {TargetPath}",
                ct => new ValueTask(_storage.PutBlobAsync(TargetPath, data, ct)), cancellationToken).ConfigureAwait(false);
            return;
        }
        if (Filled > 0)
        {
            await StageBufferAsync(cancellationToken).ConfigureAwait(false);
        }
        while (_inFlight.Count > 0)
        {
            await DrainOneAsync(cancellationToken).ConfigureAwait(false);
        }
        await _storage.RequestRetry.ExecuteAsync($"commit {TargetPath}",
            ct => new ValueTask(_storage.PutBlockListAsync(TargetPath, _blockIds, ct)), cancellationToken).ConfigureAwait(false);
    }

    protected override async ValueTask DisposeCoreAsync(bool completed)
    {
        // Nothing to undo on abort: staged blocks that are never committed are invisible and expire on their own.
        // Uploads still running are stopped and awaited, because their buffers go back to the pool only afterwards.
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
        _abort.Dispose();
    }

    private async Task StageBufferAsync(CancellationToken cancellationToken)
    {
        if (_blockIds.Count == MaxBlocks)
        {
            throw new StorageException($"Azure Blob write of '{TargetPath}' failed: more than {MaxBlocks} blocks; raise BlockSize",
                isTransient: false, StorageErrorKind.InvalidArgument);
        }
        // A block that already failed ends the writer now rather than at completion.
        while (_inFlight.Count > 0 && (_inFlight.Peek().Upload.IsCompleted || _inFlight.Count >= _concurrency))
        {
            await DrainOneAsync(cancellationToken).ConfigureAwait(false);
        }
        var index = _blockIds.Count;
        var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(_tag + index.ToString("D6", CultureInfo.InvariantCulture)));
        var buffer = CurrentBuffer!;
        var data = buffer.AsMemory(0, Filled);
        CurrentBuffer = null;
        Filled = 0;
        _blockIds.Add(id);
        // Put Block is idempotent (same id, same bytes), so a failed block is simply sent again.
        var upload = _storage.RequestRetry.ExecuteAsync($"write {TargetPath} block {index}",
            ct => new ValueTask(_storage.PutBlockAsync(TargetPath, id, data, ct)), _abort.Token).AsTask();
        _inFlight.Enqueue((upload, buffer));
    }

    private async Task DrainOneAsync(CancellationToken cancellationToken)
    {
        var (upload, buffer) = _inFlight.Peek();
        await upload.WaitAsync(cancellationToken).ConfigureAwait(false);
        _inFlight.Dequeue();
        ArrayPool<byte>.Shared.Return(buffer);
    }
}
