namespace Cairn.Storage;

/// <summary>
/// A place where backups live: a local folder or a bucket/container prefix. Paths are relative to the
/// storage's base, use '/' as separator and never escape the base.
/// </summary>
/// <remarks>
/// Implementations stream: no call buffers a whole object in memory except <see cref="ReadAllAsync"/>,
/// which is meant for small files such as backupmeta. Failures surface as <see cref="StorageException"/>.
/// </remarks>
public interface IExternalStorage : IAsyncDisposable
{
    /// <summary>The storage's URL with every credential removed; safe to print and log.</summary>
    string Uri { get; }

    /// <summary>
    /// Starts writing an object. Nothing is visible at <paramref name="path"/> until
    /// <see cref="IStorageWriter.CompleteAsync"/> succeeds; disposing an incomplete writer aborts it.
    /// </summary>
    ValueTask<IStorageWriter> CreateAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Opens a reader over <c>[offset, offset + length)</c> of an object (to its end when length is null).</summary>
    ValueTask<Stream> OpenReadAsync(string path, long offset = 0, long? length = null, CancellationToken cancellationToken = default);

    /// <summary>Reads a small object whole.</summary>
    ValueTask<byte[]> ReadAllAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Writes a small object whole, atomically.</summary>
    ValueTask WriteAllAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Whether an object exists at <paramref name="path"/>.</summary>
    ValueTask<bool> ExistsAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object; deleting a missing object is not an error.</summary>
    ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Lists every object under <paramref name="prefix"/> (recursively), with sizes, in no promised order.</summary>
    IAsyncEnumerable<StorageObject> ListAsync(string prefix = "", CancellationToken cancellationToken = default);
}
