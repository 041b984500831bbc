using System.Globalization;
using System.Text;
using Cairn.Br.Metadata;
using Cairn.Rpc.Encryptionpb;
using Cairn.Storage;

namespace Cairn.Br.Crypto;

/// <summary>
/// Which keys a checkpointed backup's files are encrypted with, kept in <c>checkpoint/crypter</c> before the stores
/// write anything, so that a resumed run encrypts with the same key: the method, the key check (an HMAC only the
/// right data key gives) and, in master-key mode, the data key wrapped by the master key, which a resumed run
/// unwraps instead of drawing a new one. Without it a resumed master-key backup would mix two data keys, and a run
/// resumed with another key or without encryption would leave files no single key decrypts. Holds no secret.
/// </summary>
internal static class CheckpointKey
{
    /// <summary>The object, under the checkpoint folder (removed with it).</summary>
    public const string ObjectPath = BackupCheckpoint.Folder + "/crypter";

    private const string Plaintext = "plaintext";

    /// <summary>Records the keys of a new backup.</summary>
    public static async Task RecordAsync(IExternalStorage storage, MetaCipher? cipher, CancellationToken cancellationToken)
    {
        var text = cipher is null
            ? Plaintext
            : string.Create(CultureInfo.InvariantCulture,
                $"{(int)cipher.Method} {Convert.ToHexString(cipher.KeyCheck())} {(cipher.WrappedKey is { } wrapped ? Convert.ToHexString(wrapped) : "-")}");
        await storage.WriteAllAsync(ObjectPath, Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The keys a resumed run must use: the recorded ones, checked against what this run was given; refused when
    /// they differ.
    /// </summary>
    public static async Task<MetaCipher?> ResumeAsync(IExternalStorage storage, MetaCipher? cipher, BackupEncryption? encryption, CancellationToken cancellationToken)
    {
        var recorded = await storage.ExistsAsync(ObjectPath, cancellationToken).ConfigureAwait(false)
            ? Encoding.UTF8.GetString(await storage.ReadAllAsync(ObjectPath, cancellationToken).ConfigureAwait(false)).Trim()
            : Plaintext;
        if (recorded == Plaintext)
        {
            return cipher is null ? null : throw Refused("was started without encryption; run it again without --crypter.* and --master-key");
        }

        var parts = recorded.Split(' ');
        if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var methodNumber))
        {
            throw Refused($"its {ObjectPath} is not readable");
        }

        var method = (EncryptionMethod)methodNumber;
        var name = CrypterMethods.Name(method);
        if (cipher is null || encryption is null)
        {
            throw Refused($"was started encrypted ({name}); run it again with the same --crypter.* or --master-key flags");
        }

        if (parts[2] != "-")
        {
            if (encryption.MasterKey is not { } source)
            {
                throw Refused($"was started with a master key ({name}); run it again with the same --master-key or --master-key-command");
            }

            var wrapped = Convert.FromHexString(parts[2]);
            var master = await source.LoadAsync(cancellationToken).ConfigureAwait(false);
            var dataKey = MetaCipher.Unwrap(master, wrapped, method) ?? throw Refused("was started with another master key: the one given does not open its data key");
            return MetaCipher.FromDataKey(method, dataKey, wrapped);
        }

        if (cipher.WrappedKey is not null || cipher.Method != method || Convert.ToHexString(cipher.KeyCheck()) != parts[1])
        {
            throw Refused($"was started encrypted ({name}) with another key; run it again with the key it was started with");
        }

        return cipher;
    }

    private static BrException Refused(string why) =>
        new(BackupCheckpoint.InvalidCode, $"the backup cannot resume: it {why}, or delete the folder and start again");
}
