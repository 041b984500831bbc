using static Cairn.RocksDb.Tests.TestData;

namespace Cairn.RocksDb.Tests;

public sealed class AdminTests
{
    private static void Fill(RocksDatabase db, ColumnFamily cf, int from, int count, int valueSize = 200)
    {
        var value = new byte[valueSize];
        using var batch = new WriteBatch();
        for (var i = from; i < from + count; i++)
        {
            Random.Shared.NextBytes(value);
            batch.Put(cf, Key(i), value);
        }

        db.Write(batch);
    }

    [Fact]
    public void Compact_range_merges_L0_files_into_one()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path, new ColumnFamilyOptions { DisableAutoCompactions = true });
        var cf = db.GetColumnFamily("write");
        for (var round = 0; round < 4; round++)
        {
            Fill(db, cf, round * 100, 150); // overlapping rounds
            db.Flush(cf);
        }

        Assert.Equal(4UL, db.GetIntProperty(cf, "rocksdb.num-files-at-level0"));

        db.CompactRange(cf, options: new CompactRangeOptions { BottommostLevelCompaction = BottommostLevelCompaction.Force });
        Assert.Equal(0UL, db.GetIntProperty(cf, "rocksdb.num-files-at-level0"));
        var meta = db.GetColumnFamilyMetadata(cf);
        Assert.Equal("write", meta.Name);
        Assert.Equal(1, meta.FileCount);
        var file = meta.Levels.SelectMany(l => l.Files).Single();
        Assert.Equal(S(Key(0)), S(file.SmallestKey));
        Assert.Equal(S(Key(449)), S(file.LargestKey));
        Assert.True(meta.Levels.Single(l => l.Files.Count == 1).Level > 0);
        using var it = db.NewIterator(cf);
        Assert.Equal(450, Scan(it).Count);
    }

    [Fact]
    public void Compact_range_with_change_level_and_bounds()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path, new ColumnFamilyOptions { DisableAutoCompactions = true });
        var cf = db.GetColumnFamily("write");
        Fill(db, cf, 0, 100);
        db.Flush(cf);
        Fill(db, cf, 50, 100);
        db.Flush(cf);

        db.CompactRange(cf, Key(0), Key(1000), new CompactRangeOptions { ChangeLevel = true, TargetLevel = 1 });
        var meta = db.GetColumnFamilyMetadata(cf);
        Assert.All(meta.Levels.Where(l => l.Files.Count > 0), l => Assert.Equal(1, l.Level));
    }

    [Fact]
    public void Set_options_changes_mutable_options_at_run_time()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("write");
        db.SetOptions(cf, new Dictionary<string, string>
        {
            ["disable_auto_compactions"] = "true",
            ["level0_slowdown_writes_trigger"] = "40",
            ["level0_stop_writes_trigger"] = "60",
        });

        // With auto compaction off, L0 files pile up past the default trigger of 4.
        for (var round = 0; round < 6; round++)
        {
            Fill(db, cf, round * 10, 10);
            db.Flush(cf);
        }

        Assert.Equal(6UL, db.GetIntProperty(cf, "rocksdb.num-files-at-level0"));
        db.Put(cf, B("k"), B("v"));

        var optionsFile = Directory.GetFiles(dir.Path, "OPTIONS-*").Order().Last();
        var text = File.ReadAllText(optionsFile);
        Assert.Contains("level0_slowdown_writes_trigger=40", text, StringComparison.Ordinal);

        var ex = Assert.Throws<RocksDbException>(() => db.SetOptions(cf, [new("no_such_option", "1")]));
        Assert.Equal(RocksDbStatusKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public void Approximate_sizes_grow_after_writes()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("write");
        KeyRange[] ranges = [new(Key(0), Key(1000)), new(Key(1000), Key(2000))];
        var empty = db.GetApproximateSizes(cf, ranges);
        Assert.Equal([0UL, 0UL], empty);

        Fill(db, cf, 0, 1000, 500);
        db.Flush(cf);
        var afterFirst = db.GetApproximateSizes(cf, ranges);
        Assert.True(afterFirst[0] > 300_000, $"first range: {afterFirst[0]}");
        Assert.Equal(0UL, afterFirst[1]);

        Fill(db, cf, 1000, 1000, 500);
        db.Flush(cf);
        var afterSecond = db.GetApproximateSizes(cf, ranges);
        Assert.True(afterSecond[1] > 300_000, $"second range: {afterSecond[1]}");
    }

    [Fact]
    public void Properties_report_keys_and_file_sizes()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("write");
        Fill(db, cf, 0, 5000);
        db.Flush(cf);

        var keys = db.GetIntProperty(cf, "rocksdb.estimate-num-keys");
        Assert.NotNull(keys);
        Assert.InRange(keys.Value, 4000UL, 6000UL);
        var sstSize = db.GetIntProperty(cf, "rocksdb.total-sst-files-size");
        Assert.True(sstSize > 5000UL * 200);
        Assert.Equal(0UL, db.GetIntProperty(db.GetColumnFamily("lock"), "rocksdb.total-sst-files-size"));

        var stats = db.GetProperty(cf, "rocksdb.stats");
        Assert.Contains("Compaction Stats", stats, StringComparison.Ordinal);
        Assert.Null(db.GetProperty(cf, "rocksdb.no-such-property"));
        Assert.Null(db.GetIntProperty(cf, "rocksdb.no-such-property"));
        Assert.True(db.LatestSequenceNumber >= 5000);
    }

    [Fact]
    public void Checkpoint_opens_as_a_database_with_the_same_data()
    {
        using var dir = new TempDirectory();
        var checkpoint = dir.Sub("checkpoint");
        using (var db = OpenStore(dir.Sub("db")))
        {
            var write = db.GetColumnFamily("write");
            Fill(db, write, 0, 500);
            db.Flush(write);
            db.Put(db.GetColumnFamily("lock"), B("in-memtable"), B("yes"));
            db.CreateCheckpoint(checkpoint);
            db.Put(write, B("after-checkpoint"), B("x"));
        }

        Assert.Equal(["default", "lock", "write"], RocksDatabase.ListColumnFamilies(checkpoint).Order());
        using var copy = OpenStore(checkpoint);
        using var it = copy.NewIterator(copy.GetColumnFamily("write"));
        Assert.Equal(500, Scan(it).Count);
        Assert.Equal("yes", S(copy.Get(copy.GetColumnFamily("lock"), B("in-memtable"))));
        Assert.Null(copy.Get(copy.GetColumnFamily("write"), B("after-checkpoint")));
    }

    [Fact]
    public void Live_files_describe_each_SST()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var write = db.GetColumnFamily("write");
        Fill(db, write, 10, 90);
        db.Flush(write);
        var lockCf = db.GetColumnFamily("lock");
        db.Put(lockCf, B("l"), B("1"));
        db.Delete(lockCf, B("m"));
        db.Flush(lockCf);

        var files = db.GetLiveFiles();
        var w = Assert.Single(files, f => f.ColumnFamilyName == "write");
        Assert.Equal(90, w.Entries);
        Assert.Equal(S(Key(10)), S(w.SmallestKey));
        Assert.Equal(S(Key(99)), S(w.LargestKey));
        Assert.EndsWith(".sst", w.Name, StringComparison.Ordinal);
        Assert.True(File.Exists(dir.Path + w.Name));
        Assert.Equal(new FileInfo(dir.Path + w.Name).Length, w.Size);

        var l = Assert.Single(files, f => f.ColumnFamilyName == "lock");
        Assert.Equal(2, l.Entries);
        Assert.Equal(1, l.Deletions);
    }

    [Fact]
    public void Flush_without_wait_and_WAL_flush_succeed()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("write");
        db.Put(cf, B("a"), B("1"));
        db.FlushWal(sync: true);
        db.Flush(cf, wait: false);
        db.Flush(cf, wait: true);
        Assert.Equal(0UL, db.GetIntProperty(cf, "rocksdb.num-entries-active-mem-table"));
        Assert.Equal("1", S(db.Get(cf, B("a"))));
    }
}
