using System.Security.Cryptography;
using Cairn.Storage;

namespace Cairn.Br.Crypto;

/// <summary>
/// Works out the keys a reader of a backup needs from what the backup says about itself (<c>backup.crypter</c>)
/// and what the user gave, refusing with one clear message every mismatch: a key for a plaintext backup, no key or
/// a wrong one for an encrypted backup, a master key for a key backup and the other way round.
/// </summary>
internal static class BackupDecryption
{
    /// <summary>BR's code for a key that is missing, wrong or not wanted.</summary>
    public const string KeyCode = "ErrInvalidArgument";

    /// <summary>The code of meta that fails authentication.</summary>
    public const string TamperedCode = "ErrInvalidMetaFile";

    /// <summary>
    /// Reads <c>backup.crypter</c> (if any) and returns the keys to read the backup with, with the object; both null
    /// for a plaintext backup read without a key. A backup without the object but read with a key gets an unverified
    /// cipher (BR's own encrypted backups have no such object): decoding backupmeta tells then.
    /// </summary>
    public static async Task<(MetaCipher? Cipher, CrypterFile? File)> ResolveAsync(IExternalStorage storage, BackupEncryption? given, CancellationToken cancellationToken)
    {
        byte[]? bytes;
        try
        {
            bytes = await storage.ReadAllAsync(CrypterFile.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            bytes = null;
        }

        var wantsKey = given is not null && (given.MasterKey is not null || CrypterMethods.Encrypts(given.Method));
        if (bytes is null)
        {
            if (!wantsKey)
            {
                return (null, null);
            }

            if (given!.MasterKey is not null)
            {
                throw new BrException(KeyCode, $"the backup in {storage.Uri} has no {CrypterFile.Name}, so it was not taken with a master key: drop --master-key/--master-key-command (and pass the --crypter.* flags it was taken with, if any)");
            }

            return (MetaCipher.FromDataKey(given.Method, given.Key.ToArray(), null), null);
        }

        var file = CrypterFile.Parse(bytes) ?? throw Tampered(storage.Uri, CrypterFile.Name);
        var method = CrypterMethods.Parse(file.Method) is { } m && CrypterMethods.Encrypts(m) ? m : throw Tampered(storage.Uri, CrypterFile.Name);
        var name = CrypterMethods.Name(method);
        MetaCipher cipher;
        if (file.MasterKey)
        {
            if (given?.MasterKey is not { } source)
            {
                throw new BrException(KeyCode, $"the backup is encrypted ({name}) under a master key: pass --master-key local:///path or --master-key-command with the master key it was taken with");
            }

            var master = await source.LoadAsync(cancellationToken).ConfigureAwait(false);
            var dataKey = (file.WrappedKey is null ? null : MetaCipher.Unwrap(master, file.WrappedKey, method))
                ?? throw new BrException(KeyCode, $"the backup is encrypted ({name}): the master key given does not unwrap its data key (a different master key, or {CrypterFile.Name} was modified)");
            cipher = MetaCipher.FromDataKey(method, dataKey, file.WrappedKey);
        }
        else
        {
            if (given is null || (given.MasterKey is null && !CrypterMethods.Encrypts(given.Method)))
            {
                throw new BrException(KeyCode, $"the backup is encrypted ({name}): pass --crypter.method {name} and --crypter.key (or --crypter.key-file) with the key it was taken with");
            }

            if (given.MasterKey is not null)
            {
                throw new BrException(KeyCode, $"the backup is encrypted ({name}) with a key, not a master key: pass --crypter.method {name} and --crypter.key (or --crypter.key-file) instead of --master-key");
            }

            if (given.Method != method)
            {
                throw new BrException(KeyCode, $"the backup is encrypted with {name}, not {CrypterMethods.Name(given.Method)}: pass --crypter.method {name} with its key");
            }

            cipher = MetaCipher.FromDataKey(method, given.Key.ToArray(), null);
        }

        if (!CryptographicOperations.FixedTimeEquals(cipher.KeyCheck(), file.KeyCheck))
        {
            throw new BrException(KeyCode, $"the backup is encrypted ({name}): the key given does not decrypt it");
        }

        return file.IsAuthentic(cipher) ? (cipher, file) : throw Tampered(storage.Uri, CrypterFile.Name);
    }

    /// <summary>The error of a meta object whose MAC does not hold.</summary>
    public static BrException Tampered(string uri, string name) =>
        new(TamperedCode, $"{name} in {uri} was modified after backup: authentication failed; the backup cannot be trusted as it is, take a new one");
}
