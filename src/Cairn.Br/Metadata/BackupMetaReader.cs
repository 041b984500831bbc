using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Cairn.Br.Crypto;
using Cairn.Common.Crypto;
using Cairn.Rpc.Backup;
using Cairn.Storage;
using Google.Protobuf;

namespace Cairn.Br.Metadata;

/// <summary>
/// Reads a backup's meta: <c>backupmeta</c> and, for v2, the meta files it indexes (walked recursively, each checked
/// against its SHA-256 and size as it is read). Lists come back in the order they were written: the v1 top-level list
/// first, then the v2 index.
/// </summary>
public sealed class BackupMetaReader
{
    /// <summary>BR's error code for a folder without <c>backupmeta</c>.</summary>
    public const string NotFoundCode = "ErrBackupMetaNotFound";

    /// <summary>BR's error code for a meta file that cannot be decoded or does not match its checksum.</summary>
    public const string InvalidCode = "ErrInvalidMetaFile";

    private readonly IExternalStorage _storage;
    private readonly MetaCipher? _cipher;

    private BackupMetaReader(IExternalStorage storage, BackupMeta meta, MetaCipher? cipher)
    {
        _storage = storage;
        Meta = meta;
        _cipher = cipher;
    }

    /// <summary>The key the stores need to download the backup's SSTs; null for a plaintext backup.</summary>
    public CipherInfo? Cipher => _cipher?.Info;

    /// <summary>The top-level <c>backupmeta</c> as stored.</summary>
    public BackupMeta Meta { get; }

    /// <summary>Whether the meta is v2 (indexes into meta files).</summary>
    public bool IsV2 => Meta.Version >= 1;

    /// <summary>
    /// Reads and decodes <c>backupmeta</c> and checks that the meta files it names at the top level exist. Throws
    /// <see cref="BrException"/>: <see cref="NotFoundCode"/> when there is no backupmeta, <see cref="InvalidCode"/>
    /// when it is empty, truncated or corrupt, or a v2 meta file it names is missing.
    /// </summary>
    public static Task<BackupMetaReader> OpenAsync(IExternalStorage storage, CancellationToken cancellationToken = default) =>
        OpenAsync(storage, null, cancellationToken);

    /// <summary>
    /// <see cref="OpenAsync(IExternalStorage, CancellationToken)"/> for a backup that may be encrypted:
    /// <paramref name="encryption"/> is what the user gave (null: nothing). A missing, wrong or unwanted key, and
    /// meta that fails authentication, are refused here, before anything else is done with the backup.
    /// </summary>
    public static async Task<BackupMetaReader> OpenAsync(IExternalStorage storage, BackupEncryption? encryption, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var (cipher, crypter) = await BackupDecryption.ResolveAsync(storage, encryption, cancellationToken).ConfigureAwait(false);
        byte[] bytes;
        try
        {
            bytes = await storage.ReadAllAsync(BackupFiles.Meta, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            throw new BrException(NotFoundCode, $"no backupmeta in {storage.Uri}: is this the backup folder? (an unfinished backup has backup.lock but no backupmeta)", e);
        }
        var meta = cipher is null ? DecodePlain(bytes, storage.Uri) : DecodeEncrypted(bytes, storage.Uri, cipher, crypter);
        foreach (var index in new[] { meta.FileIndex, meta.SchemaIndex, meta.DdlIndexes, meta.RawRangeIndex })
        {
            if (index is null)
            {
                continue;
            }
            foreach (var entry in index.MetaFiles)
            {
                if (!await storage.ExistsAsync(entry.Name, cancellationToken).ConfigureAwait(false))
                {
                    throw Invalid(storage.Uri, entry.Name, "it is missing (backupmeta refers to it)");
                }
            }
        }
        return new BackupMetaReader(storage, meta, cipher);
    }

    private static BackupMeta DecodePlain(byte[] bytes, string uri)
    {
        try
        {
            return DecodeChecked(bytes, uri);
        }
        catch (BrException e) when (e.Code == InvalidCode)
        {
            throw new BrException(InvalidCode, $"{e.Message} (if the backup is encrypted, pass --crypter.method and --crypter.key, or --master-key)", e);
        }
    }

    // backupmeta of an encrypted backup: a 16-byte IV, then the AES-CTR ciphertext (BR's layout). With backup.crypter
    // its MAC is checked first, so a changed byte is reported as such, not decoded into something else.
    private static BackupMeta DecodeEncrypted(byte[] bytes, string uri, MetaCipher cipher, CrypterFile? crypter)
    {
        if (crypter is not null
            && (bytes.Length != crypter.MetaSize || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(cipher.Mac(bytes), crypter.MetaMac)))
        {
            throw BackupDecryption.Tampered(uri, BackupFiles.Meta);
        }

        if (crypter is null && LooksPlain(bytes, uri))
        {
            throw new BrException(BackupDecryption.KeyCode, $"the backup in {uri} is not encrypted: restore it without --crypter.method and --crypter.key");
        }

        var wrongKey = new BrException(BackupDecryption.KeyCode, $"the backup is encrypted ({cipher.MethodName}): the key given does not decrypt it (or it is not encrypted with {cipher.MethodName})");
        if (bytes.Length <= AesCtr.IvLength)
        {
            throw wrongKey;
        }

        var plain = cipher.Transform(bytes.AsSpan(0, AesCtr.IvLength), bytes.AsSpan(AesCtr.IvLength));
        try
        {
            return DecodeChecked(plain, uri);
        }
        catch (BrException e) when (e.Code == InvalidCode && crypter is null)
        {
            throw new BrException(wrongKey.Code, wrongKey.Message, e);
        }
    }

    private static bool LooksPlain(byte[] bytes, string uri)
    {
        try
        {
            // Ciphertext decodes as a complete backupmeta (with br_version) only by a rare chance.
            _ = DecodeChecked(bytes, uri);
            return true;
        }
        catch (BrException)
        {
            return false;
        }
    }

    private static BackupMeta DecodeChecked(byte[] bytes, string uri)
    {
        var meta = Decode(BackupMeta.Parser, bytes, BackupFiles.Meta, uri);
        // BR (and our writer) put br_version after the lists; a file cut short at a field boundary still decodes, but
        // without it.
        if (meta.BrVersion.Length == 0)
        {
            throw Invalid(uri, BackupFiles.Meta, "it is truncated (br_version, written last, is missing)");
        }
        if (meta.Version > 1)
        {
            throw Invalid(uri, BackupFiles.Meta, $"its version {meta.Version} is newer than this br understands (0 or 1)");
        }
        return meta;
    }

    /// <summary>Every data file: <c>files</c>, then the leaves of <c>file_index</c>.</summary>
    public IAsyncEnumerable<Rpc.Backup.File> ReadFilesAsync(CancellationToken cancellationToken = default) =>
        ReadListAsync(Meta.Files, Meta.FileIndex, static m => m.DataFiles, cancellationToken);

    /// <summary>Every schema: <c>schemas</c>, then the leaves of <c>schema_index</c>.</summary>
    public IAsyncEnumerable<Schema> ReadSchemasAsync(CancellationToken cancellationToken = default) =>
        ReadListAsync(Meta.Schemas, Meta.SchemaIndex, static m => m.Schemas, cancellationToken);

    /// <summary>Every raw range: <c>raw_ranges</c>, then the leaves of <c>raw_range_index</c>.</summary>
    public IAsyncEnumerable<RawRange> ReadRawRangesAsync(CancellationToken cancellationToken = default) =>
        ReadListAsync(Meta.RawRanges, Meta.RawRangeIndex, static m => m.RawRanges, cancellationToken);

    /// <summary>The DDL jobs as one JSON array (<c>[]</c> when none): <c>ddls</c> and the jobs of <c>ddl_indexes</c>.</summary>
    public async Task<ReadOnlyMemory<byte>> ReadDdlsAsync(CancellationToken cancellationToken = default)
    {
        if (Meta.DdlIndexes is null)
        {
            return Meta.Ddls.IsEmpty ? "[]"u8.ToArray() : Meta.Ddls.Memory;
        }
        List<ByteString> jobs;
        try
        {
            jobs = BackupMetaWriter.SplitJsonArray(Meta.Ddls.Memory);
        }
        catch (ArgumentException e)
        {
            throw Invalid(_storage.Uri, BackupFiles.Meta, $"its ddls are not a JSON array ({e.Message})");
        }
        await foreach (var leaf in WalkAsync(Meta.DdlIndexes, cancellationToken).ConfigureAwait(false))
        {
            jobs.AddRange(leaf.Ddls);
        }
        return BackupMetaWriter.JoinJsonArray(jobs).Memory;
    }

    private async IAsyncEnumerable<T> ReadListAsync<T>(IEnumerable<T> top, MetaFile? index, Func<MetaFile, IEnumerable<T>> items, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var item in top)
        {
            yield return item;
        }
        await foreach (var leaf in WalkAsync(index, cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in items(leaf))
            {
                yield return item;
            }
        }
    }

    /// <summary>The meta files an index leads to, depth first, each read and checked once; leaves in order.</summary>
    private async IAsyncEnumerable<MetaFile> WalkAsync(MetaFile? index, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (index is null)
        {
            yield break;
        }
        foreach (var entry in index.MetaFiles)
        {
            var child = await ReadMetaFileAsync(entry, cancellationToken).ConfigureAwait(false);
            await foreach (var leaf in WalkAsync(child, cancellationToken).ConfigureAwait(false))
            {
                yield return leaf;
            }
        }
        yield return index;
    }

    private async Task<MetaFile> ReadMetaFileAsync(Rpc.Backup.File entry, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await _storage.ReadAllAsync(entry.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            throw Invalid(_storage.Uri, entry.Name, "it is missing (backupmeta refers to it)", e);
        }
        if (!entry.CipherIv.IsEmpty)
        {
            // v2 meta files keep their IV in the index entry; size and SHA-256 are of the plaintext (BR's layout).
            if (_cipher is null)
            {
                throw Invalid(_storage.Uri, entry.Name, "it is encrypted but backupmeta is not");
            }
            bytes = _cipher.Transform(entry.CipherIv.Span, bytes);
        }
        if (entry.Size != 0 && (ulong)bytes.Length != entry.Size)
        {
            throw Invalid(_storage.Uri, entry.Name, $"it has {bytes.Length} bytes where backupmeta recorded {entry.Size} (truncated or replaced)");
        }
        if (!entry.Sha256.IsEmpty && !SHA256.HashData(bytes).AsSpan().SequenceEqual(entry.Sha256.Span))
        {
            throw Invalid(_storage.Uri, entry.Name, "its SHA-256 does not match the one backupmeta recorded (the file is corrupt)");
        }
        return Decode(MetaFile.Parser, bytes, entry.Name, _storage.Uri);
    }

    private static T Decode<T>(MessageParser<T> parser, byte[] bytes, string name, string uri)
        where T : IMessage<T>
    {
        if (bytes.Length == 0)
        {
            throw Invalid(uri, name, "it is empty");
        }
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Invalid(uri, name, $"it cannot be decoded ({e.Message})", e);
        }
    }

    private static BrException Invalid(string uri, string name, string reason, Exception? inner = null) =>
        new(InvalidCode, $"invalid meta file {name} in {uri}: {reason}; the backup cannot be used as it is, take a new one", inner);
}
