using System.Security.Cryptography;
using Cairn.Common.Codec;
using Cairn.Common.Keys;
using Cairn.Common.Mvcc;
using Cairn.RocksDb;

namespace Cairn.Store.Tests.Import;

/// <summary>
/// Writes SST files as a TiKV backup does into a local storage folder: data keys <c>z</c> + enc(raw key) + !ts, write
/// records from the codecs, values longer than the short-value limit in a separate default-CF file.
/// </summary>
internal sealed class BackupSsts(string folder)
{
    public string Folder { get; } = folder;

    /// <summary>A 1000-byte value that no compression shrinks.</summary>
    public static byte[] RandomValue(int length = 1000) => RandomNumberGenerator.GetBytes(length);

    public static byte[] RecordKey(long tableId, long handle) => TableCodec.EncodeRecordKey(tableId, handle);

    /// <summary>The rewrite-rule prefix of a table's records in the encoded form Download takes (br-spec §d.12).</summary>
    public static byte[] EncodedRecordPrefix(long tableId) => MemComparable.EncodePrefix(TableCodec.RecordPrefix(tableId));

    /// <summary>
    /// Writes the rows of one table committed by one transaction; returns the write-CF file name and the default-CF
    /// file name (null when every value fits in the write record).
    /// </summary>
    public (string Write, string? Default) WriteTable(string baseName, long tableId, IReadOnlyList<(long Handle, byte[] Value)> rows, ulong startTs, ulong commitTs)
    {
        var writeName = $"{baseName}_write.sst";
        var defaultName = $"{baseName}_default.sst";
        using (var write = SstFileWriter.Create(Path.Combine(Folder, writeName)))
        {
            foreach (var (handle, value) in rows.OrderBy(r => r.Handle))
            {
                var key = RecordKey(tableId, handle);
                var isShort = value.Length <= WriteRecord.ShortValueMaxLength;
                write.Put(MvccKey.DataKey(key, commitTs), new WriteRecord(WriteType.Put, startTs, isShort ? value : null).ToBytes());
            }

            write.Finish();
        }

        var longRows = rows.Where(r => r.Value.Length > WriteRecord.ShortValueMaxLength).OrderBy(r => r.Handle).ToList();
        if (longRows.Count == 0)
        {
            return (writeName, null);
        }

        using (var values = SstFileWriter.Create(Path.Combine(Folder, defaultName)))
        {
            foreach (var (handle, value) in longRows)
            {
                values.Put(MvccKey.DataKey(RecordKey(tableId, handle), startTs), value);
            }

            values.Finish();
        }

        return (writeName, defaultName);
    }

    /// <summary>Writes raw-KV pairs (<c>z</c> + raw key, no ts) as a raw backup's default-CF file.</summary>
    public string WriteRaw(string name, IEnumerable<(byte[] Key, byte[] Value)> pairs)
    {
        using var writer = SstFileWriter.Create(Path.Combine(Folder, name));
        foreach (var (key, value) in pairs.OrderBy(p => p.Key, ByteKeyComparer.Instance))
        {
            writer.Put(MvccKey.RawKvDataKey(key), value);
        }

        writer.Finish();
        return name;
    }

    public long Size(string name) => new FileInfo(Path.Combine(Folder, name)).Length;
}
