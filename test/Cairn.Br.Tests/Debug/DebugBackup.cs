using System.Security.Cryptography;
using System.Text;
using Cairn.Br.Metadata;
using Cairn.Common.Hashing;
using Cairn.Common.Keys;
using Cairn.Common.Mvcc;
using Cairn.RocksDb;
using Cairn.Rpc.Backup;
using Cairn.Storage.Local;
using Google.Protobuf;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Tests.Debug;

/// <summary>
/// A small backup made from known rows: `shop`.`orders` (table 101) and `shop`.`events` partitioned into 111 and 112,
/// one write-CF SST per physical table written with RocksDB's SST writer, file and schema checksums computed from the
/// rows, and a backupmeta written by <see cref="BackupMetaWriter"/>.
/// </summary>
internal sealed class DebugBackup : IDisposable
{
    public const ulong BackupTs = 445566UL << 18;
    private const int RowsPerTable = 25;

    private readonly TempDirectory _dir = new("debug");

    private DebugBackup()
    {
        Storage = new LocalStorage(_dir.Path);
    }

    public LocalStorage Storage { get; }

    public string Folder => _dir.Path;

    public List<BackupFile> Files { get; } = [];

    public Dictionary<long, KvChecksum> TableChecksums { get; } = [];

    public byte[] MetaBytes => System.IO.File.ReadAllBytes(Path.Combine(Folder, BackupFiles.Meta));

    /// <summary>
    /// Builds the backup. <paramref name="extraFiles"/> go into the meta after the real ones (metadata only);
    /// <paramref name="schemaSkew"/> is XORed into `orders`' recorded crc64xor.
    /// </summary>
    public static async Task<DebugBackup> CreateAsync(bool useV2 = false, IEnumerable<BackupFile>? extraFiles = null, ulong schemaSkew = 0)
    {
        var backup = new DebugBackup();
        var orders = await backup.WriteTableFileAsync(101, region: 5);
        var events1 = await backup.WriteTableFileAsync(111, region: 6);
        var events2 = await backup.WriteTableFileAsync(112, region: 7);
        backup.TableChecksums[101] = orders;
        backup.TableChecksums[110] = events1 + events2;

        var writer = new BackupMetaWriter(backup.Storage, useV2);
        foreach (var file in backup.Files)
        {
            await writer.AddFilesAsync([file]);
        }
        foreach (var file in extraFiles ?? [])
        {
            await writer.AddFilesAsync([file]);
        }
        var db = """{"id":100,"db_name":{"O":"shop","L":"shop"},"charset":"utf8mb4"}""";
        await writer.AddSchemaAsync(Schema(db, """{"id":101,"name":{"O":"orders","L":"orders"},"cols":[]}""", orders, schemaSkew));
        await writer.AddSchemaAsync(Schema(db, """{"id":110,"name":{"O":"events","L":"events"},"partition":{"type":1,"definitions":[{"id":111,"name":{"O":"p0","L":"p0"}},{"id":112,"name":{"O":"p1","L":"p1"}}]}}""", events1 + events2, 0));
        await writer.AddDdlsAsync("""[{"id":9,"type":3,"query":"create table t (a int)"}]"""u8.ToArray());
        await writer.FinishAsync(new BackupMeta { ClusterId = 77, ClusterVersion = "\"5.1.0\"", BrVersion = "BR\nRelease Version: test", EndVersion = BackupTs });
        return backup;
    }

    public static BackupFile MetaOnlyFile(string name, byte[] start, byte[] end, string cf = "write") => new()
    {
        Name = name,
        Sha256 = ByteString.CopyFrom(SHA256.HashData(Encoding.ASCII.GetBytes(name))),
        StartKey = ByteString.CopyFrom(start),
        EndKey = ByteString.CopyFrom(end),
        Cf = cf,
        EndVersion = BackupTs,
        Size = 1,
    };

    public string PathOf(BackupFile file) => Path.Combine(Folder, file.Name);

    public void Dispose() => _dir.Dispose();

    private static Schema Schema(string db, string table, KvChecksum checksum, ulong skew) => new()
    {
        Db = ByteString.CopyFromUtf8(db),
        Table = ByteString.CopyFromUtf8(table),
        Crc64Xor = checksum.Crc64Xor ^ skew,
        TotalKvs = checksum.TotalKvs,
        TotalBytes = checksum.TotalBytes,
    };

    private async Task<KvChecksum> WriteTableFileAsync(long tableId, int region)
    {
        var range = TableCodec.RecordRange(tableId);
        var name = $"1_{region}_1_{Convert.ToHexStringLower(SHA256.HashData(range.Start))}_1700000000000_write.sst";
        var path = Path.Combine(Folder, name);
        var checksum = KvChecksum.Empty;
        using (var sst = SstFileWriter.Create(path))
        {
            for (var handle = 1; handle <= RowsPerTable; handle++)
            {
                var key = TableCodec.EncodeRecordKey(tableId, handle);
                var value = Encoding.ASCII.GetBytes($"row {tableId}/{handle}");
                var commitTs = BackupTs - 100 + (ulong)handle;
                sst.Put(MvccKey.DataKey(key, commitTs), new WriteRecord(WriteType.Put, commitTs - 1, value).ToBytes());
                checksum = checksum.Add(key, value);
            }
            sst.Finish();
        }
        var bytes = await System.IO.File.ReadAllBytesAsync(path);
        Files.Add(new BackupFile
        {
            Name = name,
            Sha256 = ByteString.CopyFrom(SHA256.HashData(bytes)),
            StartKey = ByteString.CopyFrom(range.Start),
            EndKey = ByteString.CopyFrom(range.End),
            EndVersion = BackupTs,
            Crc64Xor = checksum.Crc64Xor,
            TotalKvs = checksum.TotalKvs,
            TotalBytes = checksum.TotalBytes,
            Cf = "write",
            Size = (ulong)bytes.Length,
        });
        return checksum;
    }
}
