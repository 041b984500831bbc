using Cairn.Rpc.Encryptionpb;

namespace Cairn.Br.Crypto;

/// <summary>
/// How a backup is (or was) encrypted, from the <c>--crypter.*</c> and <c>--master-key*</c> flags: a key given as
/// is (BR's mode) or a master key that wraps a random data key per backup. The key never appears in
/// <see cref="ToString"/>, so options that hold this can be printed.
/// </summary>
public sealed record BackupEncryption
{
    /// <summary>The SST and meta cipher (for master-key mode, of the data key it generates).</summary>
    public required EncryptionMethod Method { get; init; }

    /// <summary>The key itself (BR's <c>--crypter.key</c>); empty in master-key mode.</summary>
    public ReadOnlyMemory<byte> Key { get; init; }

    /// <summary>Where the master key comes from; null in BR's mode.</summary>
    public MasterKeySource? MasterKey { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        MasterKey is { } master ? $"{CrypterMethods.Name(Method)} (data key wrapped by {master})" : $"{CrypterMethods.Name(Method)} (key redacted)";
}
