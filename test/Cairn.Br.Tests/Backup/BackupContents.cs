using Cairn.Br.Metadata;
using Cairn.Common.Mvcc;
using Cairn.RocksDb;
using Cairn.Rpc.Backup;
using Cairn.Storage;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Tests.Backup;

/// <summary>What a finished local backup holds: its meta, read with the meta reader, and the pairs in its SSTs, read by ingesting them into a scratch RocksDB.</summary>
internal sealed record BackupContents(BackupMeta Meta, IReadOnlyList<BackupFile> Files, IReadOnlyList<Schema> Schemas)
{
    public static async Task<BackupContents> ReadAsync(string folder)
    {
        await using var storage = await ExternalStorage.OpenAsync("local://" + folder);
        var reader = await BackupMetaReader.OpenAsync(storage);
        var files = new List<BackupFile>();
        await foreach (var file in reader.ReadFilesAsync())
        {
            files.Add(file);
        }

        var schemas = new List<Schema>();
        await foreach (var schema in reader.ReadSchemasAsync())
        {
            schemas.Add(schema);
        }

        return new BackupContents(reader.Meta, files, schemas);
    }

    /// <summary>
    /// The committed versions in the write-CF files (raw key, commit ts, value): the short value, or the default-CF
    /// value the record points at.
    /// </summary>
    public IReadOnlyList<(byte[] Key, ulong CommitTs, byte[] Value)> ReadPairs(string folder)
    {
        using var scratch = new TempDirectory("br-sst");
        using var db = RocksDatabase.Open(scratch.Sub("db"), RocksDbOptions.WithColumnFamilies(["default", "write"]));
        var write = Files.Where(f => f.Cf == "write").Select(f => Path.Combine(folder, f.Name)).ToList();
        var data = Files.Where(f => f.Cf == "default").Select(f => Path.Combine(folder, f.Name)).ToList();
        foreach (var file in write)
        {
            db.IngestExternalFile(db.GetColumnFamily("write"), file);
        }

        foreach (var file in data)
        {
            db.IngestExternalFile(db.GetColumnFamily("default"), file);
        }

        var pairs = new List<(byte[], ulong, byte[])>();
        using var iterator = db.NewIterator(db.GetColumnFamily("write"));
        for (iterator.SeekToFirst(); iterator.Valid; iterator.Next())
        {
            var key = MvccKey.DecodeDataKey(iterator.Key, out var commitTs);
            var record = WriteRecordView.Parse(iterator.Value);
            Assert.Equal(WriteType.Put, record.Type);
            var value = record.HasShortValue ? record.ShortValue.ToArray() : db.Get(db.GetColumnFamily("default"), MvccKey.DataKey(key, record.StartTs))
                ?? throw new InvalidOperationException($"no default-CF value for {Convert.ToHexString(key)} at {record.StartTs}");
            pairs.Add((key, commitTs, value));
        }

        iterator.ThrowIfError();
        return pairs;
    }

    /// <summary>Asserts that the files' ranges tile <paramref name="range"/> exactly once (a default/write pair shares its range).</summary>
    public void AssertCoveredOnce(Cairn.Common.Keys.KeyRange range)
    {
        var pieces = Files.Where(f => Overlaps(f, range)).Select(f => (Start: f.StartKey.ToByteArray(), End: f.EndKey.ToByteArray()))
            .DistinctBy(p => Convert.ToHexString(p.Start) + "-" + Convert.ToHexString(p.End))
            .OrderBy(p => p.Start, Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).ToList();
        Assert.NotEmpty(pieces);
        Assert.Equal(Convert.ToHexString(range.Start), Convert.ToHexString(pieces[0].Start));
        for (var i = 1; i < pieces.Count; i++)
        {
            Assert.Equal(Convert.ToHexString(pieces[i - 1].End), Convert.ToHexString(pieces[i].Start));
        }

        Assert.Equal(Convert.ToHexString(range.End), Convert.ToHexString(pieces[^1].End));
    }

    private static bool Overlaps(BackupFile file, Cairn.Common.Keys.KeyRange range) =>
        (range.End.Length == 0 || file.StartKey.Span.SequenceCompareTo(range.End) < 0) && (file.EndKey.IsEmpty || file.EndKey.Span.SequenceCompareTo(range.Start) > 0);
}
