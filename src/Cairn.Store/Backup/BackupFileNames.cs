using System.Globalization;
using System.Security.Cryptography;

namespace Cairn.Store.Backup;

/// <summary>
/// Names of backup SSTs as TiKV gives them (br-spec §b.12 with br-spec-2 §0):
/// <c>{store}_{region}_{epoch_version}_{hex(sha256(raw start))}_{unix_ms}_{cf}.sst</c>, where transactional files
/// always hash the start key (an unbounded start hashes the empty key) and raw files with an unbounded start are
/// named <c>{store}_{region}_{epoch_version}_{cf}.sst</c>.
/// </summary>
internal static class BackupFileNames
{
    /// <summary>The name of one CF's file of a file pair that starts at <paramref name="rawStart"/>.</summary>
    public static string Name(ulong storeId, ulong regionId, ulong epochVersion, ReadOnlySpan<byte> rawStart, long unixMs, string cf, bool isRaw)
    {
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{storeId}_{regionId}_{epochVersion}");
        if (isRaw && rawStart.IsEmpty)
        {
            return $"{prefix}_{cf}.sst";
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(rawStart, hash);
        return string.Create(CultureInfo.InvariantCulture, $"{prefix}_{Convert.ToHexStringLower(hash)}_{unixMs}_{cf}.sst");
    }
}
