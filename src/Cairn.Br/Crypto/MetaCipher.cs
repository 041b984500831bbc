using System.Security.Cryptography;
using System.Text;
using Cairn.Common.Crypto;
using Cairn.Rpc.Backup;
using Cairn.Rpc.Encryptionpb;
using Google.Protobuf;

namespace Cairn.Br.Crypto;

/// <summary>
/// The keys of one encrypted backup: the data key (AES-CTR over SSTs and meta, sent to the stores as
/// <c>CipherInfo</c>), the MAC key derived from it with HKDF-SHA256 (HMAC-SHA256 over the stored meta) and, in
/// master-key mode, the data key wrapped with AES-256-GCM under the master key.
/// </summary>
internal sealed class MetaCipher
{
    private static readonly byte[] MacInfo = "cairn backup meta mac v1"u8.ToArray();
    private static readonly byte[] KeyCheckInput = "cairn backup key check v1"u8.ToArray();
    private readonly byte[] _dataKey;
    private readonly byte[] _macKey;

    private MetaCipher(EncryptionMethod method, byte[] dataKey, byte[]? wrappedKey)
    {
        Method = method;
        _dataKey = dataKey;
        _macKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, 32, salt: [], info: MacInfo);
        WrappedKey = wrappedKey;
    }

    public EncryptionMethod Method { get; }

    /// <summary>The data key wrapped by the master key (12-byte nonce ‖ ciphertext ‖ 16-byte tag); null in BR's mode.</summary>
    public byte[]? WrappedKey { get; }

    public string MethodName => CrypterMethods.Name(Method);

    /// <summary>What the stores get in BackupRequest and DownloadRequest.</summary>
    public CipherInfo Info => new() { CipherType = Method, CipherKey = ByteString.CopyFrom(_dataKey) };

    /// <summary>The keys of a new backup: the given key, or a fresh data key wrapped by the master key; null for none.</summary>
    public static async Task<MetaCipher?> ForBackupAsync(BackupEncryption? encryption, CancellationToken cancellationToken)
    {
        if (encryption is null)
        {
            return null;
        }

        if (encryption.MasterKey is { } source)
        {
            var method = CrypterMethods.Encrypts(encryption.Method) ? encryption.Method : CrypterMethods.MasterKeyDefault;
            var master = await source.LoadAsync(cancellationToken).ConfigureAwait(false);
            var dataKey = RandomNumberGenerator.GetBytes(CrypterMethods.KeyLength(method));
            return new MetaCipher(method, dataKey, Wrap(master, dataKey, method));
        }

        return CrypterMethods.Encrypts(encryption.Method) ? new MetaCipher(encryption.Method, encryption.Key.ToArray(), null) : null;
    }

    /// <summary>The keys of an existing backup from its data key.</summary>
    public static MetaCipher FromDataKey(EncryptionMethod method, byte[] dataKey, byte[]? wrappedKey) => new(method, dataKey, wrappedKey);

    /// <summary>The data key inside <paramref name="wrapped"/>, or null when <paramref name="master"/> does not open it.</summary>
    public static byte[]? Unwrap(byte[] master, byte[] wrapped, EncryptionMethod method)
    {
        var length = CrypterMethods.KeyLength(method);
        if (wrapped.Length != AesGcm.NonceByteSizes.MaxSize + length + AesGcm.TagByteSizes.MaxSize)
        {
            return null;
        }

        var nonce = wrapped.AsSpan(0, AesGcm.NonceByteSizes.MaxSize);
        var cipherText = wrapped.AsSpan(nonce.Length, length);
        var tag = wrapped.AsSpan(nonce.Length + length);
        var dataKey = new byte[length];
        using var gcm = new AesGcm(master, AesGcm.TagByteSizes.MaxSize);
        try
        {
            gcm.Decrypt(nonce, cipherText, tag, dataKey, WrapContext(method));
            return dataKey;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    /// <summary>A value only the right data key gives: lets a reader tell a wrong key from damaged meta.</summary>
    public byte[] KeyCheck() => HMACSHA256.HashData(_macKey, KeyCheckInput);

    public byte[] Mac(ReadOnlySpan<byte> data) => HMACSHA256.HashData(_macKey, data);

    public IncrementalHash NewMac() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _macKey);

    public AesCtr Encryptor(ReadOnlySpan<byte> iv) => new(_dataKey, iv);

    /// <summary>Encrypts (or decrypts) <paramref name="data"/> under <paramref name="iv"/> into a new array.</summary>
    public byte[] Transform(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> data) => AesCtr.Transform(_dataKey, iv, data);

    private static byte[] Wrap(byte[] master, byte[] dataKey, EncryptionMethod method)
    {
        var wrapped = new byte[AesGcm.NonceByteSizes.MaxSize + dataKey.Length + AesGcm.TagByteSizes.MaxSize];
        var nonce = wrapped.AsSpan(0, AesGcm.NonceByteSizes.MaxSize);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(master, AesGcm.TagByteSizes.MaxSize);
        gcm.Encrypt(nonce, dataKey, wrapped.AsSpan(nonce.Length, dataKey.Length), wrapped.AsSpan(nonce.Length + dataKey.Length), WrapContext(method));
        return wrapped;
    }

    // The method is bound to the wrapped key, so backup.crypter cannot be edited to make a key serve another cipher.
    private static byte[] WrapContext(EncryptionMethod method) => Encoding.ASCII.GetBytes("cairn backup data key v1 " + CrypterMethods.Name(method));
}
