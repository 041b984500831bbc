using Cairn.Common.Hashing;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Checksum;

/// <summary>The "fast checksum" of br-spec §b.13: a table's files summed, compared with the coprocessor's.</summary>
internal static class FileChecksums
{
    /// <summary>XOR of the files' crc64xor and sums of their kvs and bytes.</summary>
    public static KvChecksum Of(IEnumerable<BackupFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var total = KvChecksum.Empty;
        foreach (var file in files)
        {
            total += new KvChecksum(file.Crc64Xor, file.TotalKvs, file.TotalBytes);
        }

        return total;
    }

    /// <summary>Throws <c>ErrBackupChecksumMismatch</c> naming <paramref name="table"/> when the two differ in any number.</summary>
    public static void Verify(string table, KvChecksum coprocessor, KvChecksum files)
    {
        if (coprocessor != files)
        {
            throw new BrException("ErrBackupChecksumMismatch",
                $"checksum mismatch for table {table}: the cluster has crc64xor {coprocessor.Crc64Xor}, {coprocessor.TotalKvs} kvs, {coprocessor.TotalBytes} bytes at the snapshot, the backup files {files.Crc64Xor}, {files.TotalKvs} kvs, {files.TotalBytes} bytes; the backup is not usable, run it again");
        }
    }
}
