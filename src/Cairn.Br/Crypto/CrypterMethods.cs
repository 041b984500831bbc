using Cairn.Rpc.Encryptionpb;

namespace Cairn.Br.Crypto;

/// <summary>BR's names of the backup ciphers (<c>--crypter.method</c>) and their key lengths.</summary>
public static class CrypterMethods
{
    /// <summary>The method of a master-key backup when none is given.</summary>
    public const EncryptionMethod MasterKeyDefault = EncryptionMethod.Aes256Ctr;

    /// <summary>
    /// Parses <paramref name="text"/> as BR does: <c>plaintext</c>, <c>aes128-ctr</c>, <c>aes192-ctr</c> or
    /// <c>aes256-ctr</c>, all lower or all upper case; null when it is none of them.
    /// </summary>
    public static EncryptionMethod? Parse(string text) => text switch
    {
        "plaintext" or "PLAINTEXT" => EncryptionMethod.Plaintext,
        "aes128-ctr" or "AES128-CTR" => EncryptionMethod.Aes128Ctr,
        "aes192-ctr" or "AES192-CTR" => EncryptionMethod.Aes192Ctr,
        "aes256-ctr" or "AES256-CTR" => EncryptionMethod.Aes256Ctr,
        _ => null,
    };

    /// <summary>The flag spelling of <paramref name="method"/>.</summary>
    public static string Name(EncryptionMethod method) => method switch
    {
        EncryptionMethod.Aes128Ctr => "aes128-ctr",
        EncryptionMethod.Aes192Ctr => "aes192-ctr",
        EncryptionMethod.Aes256Ctr => "aes256-ctr",
        EncryptionMethod.Plaintext => "plaintext",
        _ => method.ToString().ToLowerInvariant(),
    };

    /// <summary>Key bytes of <paramref name="method"/>; 0 for plaintext and for methods br cannot use.</summary>
    public static int KeyLength(EncryptionMethod method) => method switch
    {
        EncryptionMethod.Aes128Ctr => 16,
        EncryptionMethod.Aes192Ctr => 24,
        EncryptionMethod.Aes256Ctr => 32,
        _ => 0,
    };

    /// <summary>Whether <paramref name="method"/> encrypts.</summary>
    public static bool Encrypts(EncryptionMethod method) => KeyLength(method) > 0;
}
