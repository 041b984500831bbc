using System.Runtime.CompilerServices;

namespace Cairn.Storage;

/// <summary>
/// <c>noop://</c>: a storage that keeps nothing. Writes are accepted and discarded, reads fail as not found,
/// nothing exists and listings are empty. Useful to measure a backup without the cost of storing it.
/// </summary>
public sealed class NoopStorage : IExternalStorage
{
    /// <inheritdoc/>
    public string Uri => "noop://";

    /// <inheritdoc/>
    public ValueTask<IStorageWriter> CreateAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        return ValueTask.FromResult<IStorageWriter>(new DiscardingWriter());
    }

    /// <inheritdoc/>
    public ValueTask<Stream> OpenReadAsync(string path, long offset = 0, long? length = null, CancellationToken cancellationToken = default) =>
        throw NotFound(path);

    /// <inheritdoc/>
    public ValueTask<byte[]> ReadAllAsync(string path, CancellationToken cancellationToken = default) => throw NotFound(path);

    /// <inheritdoc/>
    public ValueTask WriteAllAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        return ValueTask.FromResult(false);
    }

    /// <inheritdoc/>
    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StorageObject> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StoragePath.NormalizeDirectory(prefix);
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public override string ToString() => "NoopStorage";

    private static StorageException NotFound(string path)
    {
        StoragePath.Validate(path);
        return new StorageException($"noop:// keeps nothing: {path} not found", isTransient: false, StorageErrorKind.NotFound);
    }

    private sealed class DiscardingWriter : IStorageWriter
    {
        public long BytesWritten { get; private set; }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            BytesWritten += data.Length;
            return ValueTask.CompletedTask;
        }

        public ValueTask CompleteAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
