using Cairn.Br.Metadata;
using Cairn.Rpc.Backup;
using Cairn.Storage;

namespace Cairn.Br.Debug;

/// <summary>
/// <c>br debug decode</c> and <c>br debug encode</c>: backupmeta to its JSON form (<see cref="BackupMetaJson"/>) in
/// <c>backupmeta.json</c> beside it, or one field of it, and back.
/// </summary>
public static class MetaDebug
{
    /// <summary>BR-style code for a <c>backupmeta.json</c> that cannot be used.</summary>
    public const string InvalidJsonCode = "ErrInvalidMetaFile";

    /// <summary>
    /// Writes <c>backupmeta.json</c> with the JSON form of the top-level backupmeta (a v2 backup's meta files stay
    /// as they are; their index entries are in it). Returns the path written, relative to the storage.
    /// </summary>
    public static Task<string> DecodeAsync(IExternalStorage storage, CancellationToken cancellationToken = default) =>
        DecodeAsync(storage, null, cancellationToken);

    /// <summary>
    /// <see cref="DecodeAsync(IExternalStorage, CancellationToken)"/> of a backup that may be encrypted, read with
    /// <paramref name="encryption"/>; the JSON written is the decrypted meta (it holds no key).
    /// </summary>
    public static async Task<string> DecodeAsync(IExternalStorage storage, Crypto.BackupEncryption? encryption, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var reader = await BackupMetaReader.OpenAsync(storage, encryption, cancellationToken).ConfigureAwait(false);
        await storage.WriteAllAsync(BackupFiles.MetaJson, BackupMetaJson.Format(reader.Meta), cancellationToken).ConfigureAwait(false);
        return BackupFiles.MetaJson;
    }

    /// <summary>
    /// One field of backupmeta as text (<see cref="BackupMetaJson.FormatField"/>; <c>start-version</c> and
    /// <c>end-version</c> work as written). Throws <see cref="BrException"/> naming the fields when there is no such field.
    /// </summary>
    public static Task<string> DecodeFieldAsync(IExternalStorage storage, string field, CancellationToken cancellationToken = default) =>
        DecodeFieldAsync(storage, field, null, cancellationToken);

    /// <summary>One field of the backupmeta of a backup that may be encrypted, read with <paramref name="encryption"/>.</summary>
    public static async Task<string> DecodeFieldAsync(IExternalStorage storage, string field, Crypto.BackupEncryption? encryption, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentException.ThrowIfNullOrEmpty(field);
        var reader = await BackupMetaReader.OpenAsync(storage, encryption, cancellationToken).ConfigureAwait(false);
        try
        {
            return BackupMetaJson.FormatField(reader.Meta, field);
        }
        catch (ArgumentException e)
        {
            throw new BrException("ErrInvalidArgument", e.Message, e);
        }
    }

    /// <summary>
    /// Reads <c>backupmeta.json</c> and writes the backupmeta it describes: to <c>backupmeta</c>, or to
    /// <c>backupmeta_from_json</c> when <c>backupmeta</c> exists (it is never replaced). Returns the path written.
    /// </summary>
    public static async Task<string> EncodeAsync(IExternalStorage storage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        byte[] json;
        try
        {
            json = await storage.ReadAllAsync(BackupFiles.MetaJson, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            throw new BrException(InvalidJsonCode, $"no {BackupFiles.MetaJson} in {storage.Uri}: write one with br debug decode first", e);
        }
        BackupMeta meta;
        try
        {
            meta = BackupMetaJson.Parse<BackupMeta>(json);
        }
        catch (FormatException e)
        {
            throw new BrException(InvalidJsonCode, $"{BackupFiles.MetaJson} in {storage.Uri} is not a backupmeta: {e.Message}", e);
        }
        var target = await storage.ExistsAsync(BackupFiles.Meta, cancellationToken).ConfigureAwait(false) ? BackupFiles.MetaFromJson : BackupFiles.Meta;
        await storage.WriteAllAsync(target, Google.Protobuf.MessageExtensions.ToByteArray(meta), cancellationToken).ConfigureAwait(false);
        return target;
    }
}
