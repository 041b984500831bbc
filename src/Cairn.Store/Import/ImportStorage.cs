using Cairn.Rpc.Backup;
using Cairn.Storage;
using Cairn.Storage.Local;

namespace Cairn.Store.Import;

/// <summary>Opens the external storage a Download request names.</summary>
internal static class ImportStorage
{
    /// <summary>Opens <paramref name="backend"/>; an unsupported or empty backend is a non-transient <see cref="StorageException"/>.</summary>
    public static ValueTask<IExternalStorage> OpenAsync(StorageBackend backend, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        cancellationToken.ThrowIfCancellationRequested();
        return backend.BackendCase switch
        {
            StorageBackend.BackendOneofCase.Local => ValueTask.FromResult<IExternalStorage>(new LocalStorage(backend.Local.Path)),
            _ => throw new StorageException($"storage backend {backend.BackendCase} is not supported by this store", isTransient: false, StorageErrorKind.InvalidArgument),
        };
    }
}
