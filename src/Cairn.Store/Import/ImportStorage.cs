using Cairn.Rpc.Backup;
using Cairn.Storage;
using Cairn.Storage.Backends;

namespace Cairn.Store.Import;

/// <summary>Opens the external storage a Download request names.</summary>
internal static class ImportStorage
{
    // No bucket check on open: the object read that follows reports a missing bucket or object by name, and a
    // check would cost one more round trip per file.
    private static readonly StorageOpenOptions Options = new() { CheckPath = false };

    /// <summary>
    /// Opens <paramref name="backend"/> with the store's environment filling credentials the message leaves empty;
    /// an unsupported or empty backend is a non-transient <see cref="StorageException"/>.
    /// </summary>
    public static ValueTask<IExternalStorage> OpenAsync(StorageBackend backend, CancellationToken cancellationToken) =>
        StorageBackends.OpenAsync(backend, Options, cancellationToken);
}
