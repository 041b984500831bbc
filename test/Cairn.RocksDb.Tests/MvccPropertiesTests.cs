using System.Buffers.Binary;
using static Cairn.RocksDb.Tests.TestData;

namespace Cairn.RocksDb.Tests;

/// <summary>The shim's MVCC table-properties collector, MVCC table filter and statistics, on a real RocksDB.</summary>
public sealed class MvccPropertiesTests
{
    private static readonly ColumnFamilyOptions WriteCf = new() { MvccPropertiesCollector = true, DisableAutoCompactions = true };

    // An MVCC data key as the store lays it out: z + user key + 8 bytes big-endian of ~ts.
    private static byte[] MvccKey(string user, ulong ts)
    {
        var key = new byte[1 + user.Length + 8];
        key[0] = (byte)'z';
        B(user).CopyTo(key, 1);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(1 + user.Length), ~ts);
        return key;
    }

    // A write record: type byte, then start_ts as a varint (the collector reads the type only).
    private static byte[] Record(char type) => [(byte)type, 0x05];

    private static RocksDatabase OpenWithWriteCf(string path) => RocksDatabase.Open(path, new RocksDbOptions
    {
        ColumnFamilies = [new ColumnFamilyDescriptor("default"), new ColumnFamilyDescriptor("write", WriteCf)],
        EnableStatistics = true,
    });

    private static void PutVersions(RocksDatabase db, ColumnFamily cf, string prefix, ulong fromTs, int count)
    {
        for (var i = 0; i < count; i++)
        {
            db.Put(cf, MvccKey($"{prefix}{i:D4}", fromTs + (ulong)i), Record('P'));
        }

        db.Flush(cf);
    }

    private static List<string> NewestFiles(RocksDatabase db, string cf, int count) =>
        [.. db.GetLiveFiles().Where(f => f.ColumnFamilyName == cf).Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal).TakeLast(count)];

    [Fact]
    public async Task A_flushed_write_cf_file_carries_its_ts_range_and_version_counts_as_sst_dump_reads_them()
    {
        using var dir = new TempDirectory("mvcc-props");
        using (var db = OpenWithWriteCf(dir.Path))
        {
            var write = db.GetColumnFamily("write");
            // Two versions of a, one of b, plus a Lock, a Rollback and a tombstone: ts 7 .. 1000.
            db.Put(write, MvccKey("a", 1000), Record('P'));
            db.Put(write, MvccKey("a", 500), Record('D'));
            db.Put(write, MvccKey("b", 7), Record('P'));
            db.Put(write, MvccKey("c", 42), Record('L'));
            db.Put(write, MvccKey("d", 43), Record('R'));
            db.Delete(write, MvccKey("e", 900));
            db.Flush(write);
        }

        var file = Path.Combine(dir.Path, Assert.Single(Directory.GetFiles(dir.Path, "*.sst")));
        var props = await SstDump.UserPropertiesAsync(file, "cairn.mvcc.");
        Assert.Equal("7", props[MvccTableProperties.MinTs]);
        Assert.Equal("1000", props[MvccTableProperties.MaxTs]);
        Assert.Equal("5", props[MvccTableProperties.NumRows]);
        Assert.Equal("5", props[MvccTableProperties.NumVersions]);
        Assert.Equal("2", props[MvccTableProperties.NumPuts]);
        Assert.Equal("1", props[MvccTableProperties.NumDeletes]);
        Assert.Equal("1", props[MvccTableProperties.NumLocks]);
        Assert.Equal("1", props[MvccTableProperties.NumRollbacks]);
        Assert.Equal("0", props[MvccTableProperties.NumUnknown]);
    }

    [Fact]
    public async Task An_sst_writer_with_the_collector_records_the_properties_and_one_without_records_none()
    {
        using var dir = new TempDirectory("mvcc-props-writer");
        var with = dir.Sub("with.sst");
        var without = dir.Sub("without.sst");
        foreach (var (path, collect) in new[] { (with, true), (without, false) })
        {
            using var writer = SstFileWriter.Create(path, new SstFileWriterOptions { MvccPropertiesCollector = collect });
            writer.Put(MvccKey("k1", 300), Record('P'));
            writer.Put(MvccKey("k1", 200), Record('P'));
            writer.Put(MvccKey("k2", 250), Record('D'));
            writer.Finish();
        }

        var props = await SstDump.UserPropertiesAsync(with, "cairn.mvcc.");
        Assert.Equal("200", props[MvccTableProperties.MinTs]);
        Assert.Equal("300", props[MvccTableProperties.MaxTs]);
        Assert.Equal("2", props[MvccTableProperties.NumRows]);
        Assert.Equal("2", props[MvccTableProperties.NumPuts]);
        Assert.Equal("1", props[MvccTableProperties.NumDeletes]);
        Assert.Empty(await SstDump.UserPropertiesAsync(without, "cairn.mvcc."));
    }

    [Fact]
    public void A_key_that_is_no_mvcc_key_makes_the_file_unskippable()
    {
        using var dir = new TempDirectory("mvcc-props-odd");
        using var db = OpenWithWriteCf(dir.Path);
        var write = db.GetColumnFamily("write");
        db.Put(write, B("not-an-mvcc-key"), Record('P'));
        db.Flush(write);

        using var filter = new MvccTableFilter(ulong.MaxValue - 1);
        using (var it = db.NewIterator(write, new ReadOptions { MvccFilter = filter }))
        {
            it.SeekToFirst();
            Assert.True(it.Valid);
        }

        Assert.Equal((1UL, 0UL), (filter.Counters.FilesRead, filter.Counters.FilesSkipped));
    }

    [Fact]
    public void The_filter_skips_files_whose_newest_version_is_not_after_the_start_and_reads_the_others()
    {
        using var dir = new TempDirectory("mvcc-filter");
        using var db = OpenWithWriteCf(dir.Path);
        var write = db.GetColumnFamily("write");
        PutVersions(db, write, "old", 100, 50);   // ts 100..149
        PutVersions(db, write, "new", 200, 50);   // ts 200..249
        db.Put(write, MvccKey("mem", 300), Record('P')); // memtable: always read

        foreach (var (start, expectedPrefixes, read, skipped) in new (ulong, string[], ulong, ulong)[]
        {
            (99, ["mem", "new", "old"], 2, 0),
            (149, ["mem", "new"], 1, 1),   // max_ts 149 ≤ 149: skipped
            (150, ["mem", "new"], 1, 1),
            (248, ["mem", "new"], 1, 1),   // max_ts 249 > 248: read
            (249, ["mem"], 0, 2),
        })
        {
            using var filter = new MvccTableFilter(start);
            var seen = new SortedSet<string>(StringComparer.Ordinal);
            using (var it = db.NewIterator(write, new ReadOptions { MvccFilter = filter }))
            {
                for (it.SeekToFirst(); it.Valid; it.Next())
                {
                    seen.Add(S(it.Key[1..4]));
                }

                it.ThrowIfError();
            }

            Assert.Equal(expectedPrefixes, seen);
            var counters = filter.Counters;
            Assert.Equal((read, skipped, 0UL), (counters.FilesRead, counters.FilesSkipped, counters.FilesWithoutProperties));
            Assert.Equal(read == 0, counters.BytesRead == 0);
            Assert.Equal(skipped == 0, counters.BytesSkipped == 0);
        }

        // Without a filter every file is read.
        using var all = db.NewIterator(write);
        var count = 0;
        for (all.SeekToFirst(); all.Valid; all.Next())
        {
            count++;
        }

        Assert.Equal(101, count);
    }

    [Fact]
    public void A_file_without_properties_and_a_file_with_a_range_deletion_are_always_read()
    {
        using var dir = new TempDirectory("mvcc-filter-unknown");
        using var db = OpenWithWriteCf(dir.Path);
        var write = db.GetColumnFamily("write");
        var plain = dir.Sub("plain.sst");
        using (var writer = SstFileWriter.Create(plain))
        {
            writer.Put(MvccKey("ingested", 10), Record('P'));
            writer.Finish();
        }

        db.IngestExternalFile(write, plain);
        db.Put(write, MvccKey("ranged", 20), Record('P'));
        db.DeleteRange(write, MvccKey("x", ulong.MaxValue), MvccKey("y", ulong.MaxValue));
        db.Flush(write);

        using var filter = new MvccTableFilter(1000);
        using (var it = db.NewIterator(write, new ReadOptions { MvccFilter = filter }))
        {
            var keys = new List<string>();
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
                keys.Add(S(it.Key[1..^8]));
            }

            Assert.Equal(["ingested", "ranged"], keys);
        }

        Assert.Equal((2UL, 0UL, 1UL), (filter.Counters.FilesRead, filter.Counters.FilesSkipped, filter.Counters.FilesWithoutProperties));
    }

    [Fact]
    public void Statistics_tickers_count_reads_and_unknown_names_are_refused()
    {
        using var dir = new TempDirectory("mvcc-stats");
        using var db = OpenWithWriteCf(dir.Path);
        var write = db.GetColumnFamily("write");
        PutVersions(db, write, "s", 1, 200);
        var before = db.GetTicker("rocksdb.block.cache.data.miss");
        using (var it = db.NewIterator(write, new ReadOptions { FillCache = false }))
        {
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
            }
        }

        Assert.True(db.GetTicker("rocksdb.block.cache.data.miss") > before);
        Assert.True(db.HasStatistics);
        var error = Assert.Throws<ArgumentException>(() => db.GetTicker("rocksdb.no.such.ticker"));
        Assert.Contains("rocksdb.no.such.ticker", error.Message, StringComparison.Ordinal);

        using var plainDir = new TempDirectory("mvcc-stats-off");
        using var plain = RocksDatabase.Open(plainDir.Path);
        Assert.False(plain.HasStatistics);
        Assert.Throws<InvalidOperationException>(() => plain.GetTicker("rocksdb.block.cache.data.miss"));
    }
}
