namespace Cairn.Storage;

/// <summary>
/// Streams one object into storage. Call <see cref="CompleteAsync"/> to publish it; disposing without
/// completing aborts the upload and leaves nothing behind (no partial object, no temp file).
/// </summary>
public interface IStorageWriter : IAsyncDisposable
{
    /// <summary>Bytes accepted so far.</summary>
    long BytesWritten { get; }

    /// <summary>Appends bytes. Memory use stays bounded whatever the total size.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Flushes what is buffered and makes the object visible at its path.</summary>
    ValueTask CompleteAsync(CancellationToken cancellationToken = default);
}
