using Cairn.Common.Crypto;
using Cairn.Rpc.Backup;
using Cairn.Rpc.Encryptionpb;

namespace Cairn.Store.Crypto;

/// <summary>
/// The key of an encrypted backup as a request carries it (<c>CipherInfo</c>, br-spec-2 §5): SSTs are AES-CTR
/// encrypted with it while they are uploaded and decrypted while they are downloaded, each file under its own IV.
/// The key stays in memory only; <see cref="ToString"/> names the method alone.
/// </summary>
internal sealed class SstCipher
{
    private readonly byte[] _key;

    private SstCipher(EncryptionMethod method, byte[] key)
    {
        Method = method;
        _key = key;
    }

    /// <summary>The request's method.</summary>
    public EncryptionMethod Method { get; }

    /// <summary>The cipher of <paramref name="info"/>, or null when it asks for none (absent, unknown or plaintext); call <see cref="Check"/> first.</summary>
    public static SstCipher? From(CipherInfo? info) =>
        info is null || info.CipherType is EncryptionMethod.Unknown or EncryptionMethod.Plaintext
            ? null
            : new SstCipher(info.CipherType, info.CipherKey.ToByteArray());

    /// <summary>Why <paramref name="info"/> cannot be used, or null when it can (or asks for no encryption).</summary>
    public static string? Check(CipherInfo? info)
    {
        if (info is null || info.CipherType is EncryptionMethod.Unknown or EncryptionMethod.Plaintext)
        {
            return null;
        }

        var expected = KeyLength(info.CipherType);
        if (expected == 0)
        {
            return $"cipher {info.CipherType} is not supported by this store; use aes128-ctr, aes192-ctr or aes256-ctr";
        }

        return info.CipherKey.Length == expected
            ? null
            : $"cipher_info: the {info.CipherType} key must be {expected} bytes, got {info.CipherKey.Length} (crypter method and key length not match)";
    }

    /// <summary>A keystream starting at <paramref name="iv"/>; null <paramref name="iv"/> or an empty one is refused.</summary>
    public AesCtr Encryptor(ReadOnlySpan<byte> iv) => new(_key, iv);

    /// <inheritdoc/>
    public override string ToString() => Method.ToString();

    private static int KeyLength(EncryptionMethod method) => method switch
    {
        EncryptionMethod.Aes128Ctr => 16,
        EncryptionMethod.Aes192Ctr => 24,
        EncryptionMethod.Aes256Ctr => 32,
        _ => 0,
    };
}
