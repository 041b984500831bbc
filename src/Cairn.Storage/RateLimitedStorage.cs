using System.Runtime.CompilerServices;

namespace Cairn.Storage;

/// <summary>
/// Limits the bytes per second read from and written to a storage, with one <see cref="TokenBucket"/>
/// shared by all readers and writers of this instance (reads and writes draw from the same budget).
/// </summary>
public sealed class RateLimitedStorage : IExternalStorage
{
    private readonly IExternalStorage _inner;
    private readonly TokenBucket _bucket;

    /// <summary>Wraps <paramref name="inner"/>; disposing this disposes it.</summary>
    public RateLimitedStorage(IExternalStorage inner, long bytesPerSecond)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _bucket = new TokenBucket(bytesPerSecond);
    }

    /// <summary>The wrapped storage.</summary>
    public IExternalStorage Inner => _inner;

    /// <summary>The limit in bytes per second.</summary>
    public long BytesPerSecond => _bucket.BytesPerSecond;

    /// <inheritdoc/>
    public string Uri => _inner.Uri;

    /// <inheritdoc/>
    public async ValueTask<IStorageWriter> CreateAsync(string path, CancellationToken cancellationToken = default) =>
        new RateLimitedWriter(await _inner.CreateAsync(path, cancellationToken).ConfigureAwait(false), _bucket);

    /// <inheritdoc/>
    public async ValueTask<Stream> OpenReadAsync(string path, long offset = 0, long? length = null, CancellationToken cancellationToken = default) =>
        new RateLimitedReadStream(await _inner.OpenReadAsync(path, offset, length, cancellationToken).ConfigureAwait(false), _bucket);

    /// <inheritdoc/>
    public async ValueTask<byte[]> ReadAllAsync(string path, CancellationToken cancellationToken = default)
    {
        var data = await _inner.ReadAllAsync(path, cancellationToken).ConfigureAwait(false);
        await _bucket.TakeAsync(data.Length, cancellationToken).ConfigureAwait(false);
        return data;
    }

    /// <inheritdoc/>
    public async ValueTask WriteAllAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await _bucket.TakeAsync(data.Length, cancellationToken).ConfigureAwait(false);
        await _inner.WriteAllAsync(path, data, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => _inner.ExistsAsync(path, cancellationToken);

    /// <inheritdoc/>
    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default) => _inner.DeleteAsync(path, cancellationToken);

    /// <inheritdoc/>
    public async IAsyncEnumerable<StorageObject> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in _inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    /// <inheritdoc/>
    public override string ToString() => $"RateLimitedStorage({_inner}, {BytesPerSecond} B/s)";

    private sealed class RateLimitedWriter(IStorageWriter inner, TokenBucket bucket) : IStorageWriter
    {
        public long BytesWritten => inner.BytesWritten;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            await bucket.TakeAsync(data.Length, cancellationToken).ConfigureAwait(false);
            await inner.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }

        public ValueTask CompleteAsync(CancellationToken cancellationToken = default) => inner.CompleteAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
