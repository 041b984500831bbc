using Cairn.Br.Metadata;
using Cairn.Common;
using Cairn.Storage;

namespace Cairn.Br.Backup;

/// <summary>
/// <c>--incremental-from URL</c>: the previous backup of a chain, whose <c>end_version</c> is where the incremental
/// backup starts. Read before anything is written, with the same storage settings as the new backup.
/// </summary>
internal static class PreviousBackup
{
    /// <summary>The previous backup's end version, checked against <see cref="BackupOptions.LastBackupTs"/> when both are given.</summary>
    /// <exception cref="BrException">The previous backup cannot be read, is raw, is unfinished, or ends elsewhere than --lastbackupts.</exception>
    public static async Task<ulong> EndVersionAsync(string previous, BackupOptions options, CancellationToken cancellationToken)
    {
        var url = JobErrors.ParseStorage(previous, options.StorageOptions);
        var target = JobErrors.ParseStorage(options.Storage, options.StorageOptions);
        if (string.Equals(url.Uri, target.Uri, StringComparison.Ordinal))
        {
            throw new BrException("ErrInvalidArgument", $"--incremental-from {url.Uri} is the storage this backup writes to: give the previous backup's own storage");
        }

        var storage = await ExternalStorage.OpenAsync(url, options.StorageOptions, cancellationToken).ConfigureAwait(false);
        await using (storage.ConfigureAwait(false))
        {
            BackupMetaReader reader;
            try
            {
                reader = await BackupMetaReader.OpenAsync(storage, options.Crypter, cancellationToken).ConfigureAwait(false);
            }
            catch (BrException e)
            {
                throw new BrException(e.Code, $"--incremental-from: {e.Message}", e, e.IsTransient);
            }

            var meta = reader.Meta;
            if (meta.IsRawKv)
            {
                throw new BrException("ErrInvalidArgument", $"--incremental-from {url.Uri} is a raw-KV backup: an incremental table backup follows a full, db, table or incremental backup");
            }

            if (meta.EndVersion == 0)
            {
                throw new BrException("ErrInvalidArgument", $"--incremental-from {url.Uri} has no end version in its backupmeta: it cannot start an incremental backup; take a full backup");
            }

            if (options.LastBackupTs != 0 && options.LastBackupTs != meta.EndVersion)
            {
                throw new BrException("ErrInvalidArgument",
                    $"--lastbackupts {options.LastBackupTs} ({Tso.Format(options.LastBackupTs)}) differs from the end version {meta.EndVersion} ({Tso.Format(meta.EndVersion)}) of --incremental-from {url.Uri}: give one of them, or the same TS");
            }

            return meta.EndVersion;
        }
    }
}
