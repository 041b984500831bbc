using static Cairn.RocksDb.Tests.TestData;

namespace Cairn.RocksDb.Tests;

public sealed class DatabaseTests
{
    [Fact]
    public void Column_families_keep_their_data_separate()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var write = db.GetColumnFamily("write");
        var lockCf = db.GetColumnFamily("lock");

        db.Put(db.DefaultColumnFamily, B("a"), B("in-default"));
        db.Put(write, B("a"), B("in-write"));
        db.Put(lockCf, B("b"), B("in-lock"));

        Assert.Equal("in-default", S(db.Get(db.DefaultColumnFamily, B("a"))));
        Assert.Equal("in-write", S(db.Get(write, B("a"))));
        Assert.Null(db.Get(lockCf, B("a")));
        Assert.Null(db.Get(write, B("b")));
        Assert.Equal("in-lock", S(db.Get(lockCf, B("b"))));
        Assert.Equal(["default", "lock", "write"], db.ColumnFamilies.Select(c => c.Name).Order());
        Assert.NotEqual(write.Id, lockCf.Id);
    }

    [Fact]
    public void Reopen_after_close_keeps_data_and_column_families()
    {
        using var dir = new TempDirectory();
        using (var db = OpenStore(dir.Path))
        {
            db.Put(db.GetColumnFamily("write"), B("k1"), B("v1"));
            db.Put(db.GetColumnFamily("lock"), B("k2"), B("v2"));
            db.Flush(db.GetColumnFamily("write"));
        }

        Assert.Equal(["default", "lock", "write"], RocksDatabase.ListColumnFamilies(dir.Path).Order());

        using var reopened = OpenStore(dir.Path);
        Assert.Equal("v1", S(reopened.Get(reopened.GetColumnFamily("write"), B("k1"))));
        Assert.Equal("v2", S(reopened.Get(reopened.GetColumnFamily("lock"), B("k2"))));
    }

    [Fact]
    public void Default_column_family_is_added_when_not_listed()
    {
        using var dir = new TempDirectory();
        using var db = RocksDatabase.Open(dir.Path, RocksDbOptions.WithColumnFamilies(["write"]));
        Assert.Equal("default", db.DefaultColumnFamily.Name);
        Assert.True(db.TryGetColumnFamily("write", out _));
        Assert.False(db.TryGetColumnFamily("lock", out _));
        Assert.Throws<KeyNotFoundException>(() => db.GetColumnFamily("lock"));
    }

    [Fact]
    public void Opening_without_create_if_missing_fails_with_RocksDB_message()
    {
        using var dir = new TempDirectory();
        var ex = Assert.Throws<RocksDbException>(() =>
            RocksDatabase.Open(dir.Sub("absent"), new RocksDbOptions { CreateIfMissing = false }));
        Assert.Equal(RocksDbStatusKind.InvalidArgument, ex.Kind);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Second_open_of_the_same_directory_fails_with_IO_error()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var ex = Assert.Throws<RocksDbException>(() => OpenStore(dir.Path));
        Assert.Equal(RocksDbStatusKind.IOError, ex.Kind);
        Assert.Contains("lock", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void All_tuning_options_are_accepted()
    {
        using var dir = new TempDirectory();
        var cf = new ColumnFamilyOptions
        {
            Compression = Compression.Lz4,
            CompressionPerLevel = [Compression.None, Compression.None, Compression.Lz4, Compression.Lz4, Compression.Lz4, Compression.Zstd, Compression.Zstd],
            BottommostCompression = Compression.Zstd,
            CompressionLevel = 3,
            BlockSize = 16 * 1024,
            BloomFilterBitsPerKey = 10,
            WriteBufferSize = 8 << 20,
            MaxWriteBufferNumber = 3,
            TargetFileSizeBase = 16 << 20,
            DisableAutoCompactions = true,
            Level0FileNumCompactionTrigger = 8,
            Level0SlowdownWritesTrigger = 20,
            Level0StopWritesTrigger = 36,
            NumLevels = 7,
        };
        var options = StoreOptions(cf) with { BlockCacheSize = 32 << 20, MaxBackgroundJobs = 2, MaxOpenFiles = -1 };
        using (var db = RocksDatabase.Open(dir.Path, options))
        {
            db.Put(db.GetColumnFamily("write"), B("k"), B("v"));
            Assert.Equal("v", S(db.Get(db.GetColumnFamily("write"), B("k"))));
        }

        // RocksDB writes the options it actually used to an OPTIONS file; check a few made it through.
        var optionsFile = Directory.GetFiles(dir.Path, "OPTIONS-*").Order().Last();
        var text = File.ReadAllText(optionsFile);
        Assert.Contains("disable_auto_compactions=true", text, StringComparison.Ordinal);
        Assert.Contains("level0_slowdown_writes_trigger=20", text, StringComparison.Ordinal);
        Assert.Contains("level0_stop_writes_trigger=36", text, StringComparison.Ordinal);
        Assert.Contains("bottommost_compression=kZSTD", text, StringComparison.Ordinal);
        Assert.Contains("block_size=16384", text, StringComparison.Ordinal);
        Assert.Contains("write_buffer_size=8388608", text, StringComparison.Ordinal);
        Assert.Contains("max_background_jobs=2", text, StringComparison.Ordinal);
        Assert.Contains("compression_per_level=kNoCompression:kNoCompression:kLZ4Compression", text, StringComparison.Ordinal);
        Assert.Contains("filter_policy=bloomfilter", text, StringComparison.Ordinal);
        Assert.Contains("max_write_buffer_number=3", text, StringComparison.Ordinal);
        Assert.Contains("target_file_size_base=16777216", text, StringComparison.Ordinal);
        Assert.Contains("level0_file_num_compaction_trigger=8", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_bloom_bits_writes_no_filter()
    {
        using var dir = new TempDirectory();
        using (var db = OpenStore(dir.Path, new ColumnFamilyOptions { BloomFilterBitsPerKey = 0, Compression = Compression.None }))
        {
            db.Put(db.DefaultColumnFamily, B("k"), B("v"));
        }

        var text = File.ReadAllText(Directory.GetFiles(dir.Path, "OPTIONS-*").Order().Last());
        Assert.Contains("filter_policy=nullptr", text, StringComparison.Ordinal);
        Assert.DoesNotContain("filter_policy=bloomfilter", text, StringComparison.Ordinal);
        Assert.Contains("compression=kNoCompression", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_compression_is_rejected_before_opening()
    {
        Assert.False(CompressionSupport.IsSupported(Compression.Xpress));
        using var dir = new TempDirectory();
        var ex = Assert.Throws<RocksDbException>(() =>
            RocksDatabase.Open(dir.Path, StoreOptions(new ColumnFamilyOptions { Compression = Compression.Xpress })));
        Assert.Equal(RocksDbStatusKind.NotSupported, ex.Kind);
        Assert.Contains("Xpress", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));

        var bottom = Assert.Throws<RocksDbException>(() =>
            RocksDatabase.Open(dir.Path, StoreOptions(new ColumnFamilyOptions { BottommostCompression = Compression.Xpress })));
        Assert.Equal(RocksDbStatusKind.NotSupported, bottom.Kind);
    }

    [Theory]
    [InlineData(Compression.None)]
    [InlineData(Compression.Snappy)]
    [InlineData(Compression.Zlib)]
    [InlineData(Compression.Bz2)]
    [InlineData(Compression.Lz4)]
    [InlineData(Compression.Lz4hc)]
    [InlineData(Compression.Zstd)]
    public void Debian_build_supports_the_usual_compressions(Compression compression)
    {
        Assert.True(CompressionSupport.IsSupported(compression));
        CompressionSupport.EnsureSupported(compression);
    }

    [Fact]
    public void Column_families_can_be_created_and_dropped_at_run_time()
    {
        using var dir = new TempDirectory();
        using (var db = OpenStore(dir.Path))
        {
            var extra = db.CreateColumnFamily("extra");
            db.Put(extra, B("x"), B("1"));
            Assert.Equal("1", S(db.Get(extra, B("x"))));
            Assert.Throws<RocksDbException>(() => db.CreateColumnFamily("extra"));

            var doomed = db.CreateColumnFamily("doomed");
            db.DropColumnFamily(doomed);
            Assert.False(db.TryGetColumnFamily("doomed", out _));
            Assert.Throws<ObjectDisposedException>(() => db.Put(doomed, B("x"), B("1")));
        }

        Assert.Contains("extra", RocksDatabase.ListColumnFamilies(dir.Path));
        Assert.DoesNotContain("doomed", RocksDatabase.ListColumnFamilies(dir.Path));
    }

    [Fact]
    public void Column_family_of_another_database_is_refused()
    {
        using var dir = new TempDirectory();
        using var a = OpenStore(dir.Sub("a"));
        using var b = OpenStore(dir.Sub("b"));
        Assert.Throws<ArgumentException>(() => a.Put(b.GetColumnFamily("write"), B("k"), B("v")));
    }

    [Fact]
    public void Use_after_dispose_throws_object_disposed()
    {
        using var dir = new TempDirectory();
        var db = OpenStore(dir.Path);
        var write = db.GetColumnFamily("write");
        db.Dispose();
        Assert.Throws<ObjectDisposedException>(() => db.Put(write, B("k"), B("v")));
        Assert.Throws<ObjectDisposedException>(() => db.Get(write, B("k")));
        Assert.Throws<ObjectDisposedException>(() => db.CreateSnapshot());
        db.Dispose(); // twice is fine
    }

    [Theory]
    [InlineData("NotFound: x", RocksDbStatusKind.NotFound)]
    [InlineData("Corruption: bad block", RocksDbStatusKind.Corruption)]
    [InlineData("Invalid argument: Keys must be added in strict ascending order.", RocksDbStatusKind.InvalidArgument)]
    [InlineData("IO error: While lock file", RocksDbStatusKind.IOError)]
    [InlineData("Resource busy: ", RocksDbStatusKind.Busy)]
    [InlineData("Result incomplete: Write stall", RocksDbStatusKind.Incomplete)]
    [InlineData("Not implemented: x", RocksDbStatusKind.NotSupported)]
    [InlineData("Operation failed. Try again.: x", RocksDbStatusKind.TryAgain)]
    [InlineData("something else", RocksDbStatusKind.Unknown)]
    public void Status_kind_is_read_from_the_message_prefix(string message, RocksDbStatusKind kind)
    {
        var ex = new RocksDbException(message);
        Assert.Equal(kind, ex.Kind);
        Assert.Equal(message, ex.Message);
        Assert.Equal(kind is RocksDbStatusKind.Busy or RocksDbStatusKind.Incomplete or RocksDbStatusKind.TryAgain, ex.IsTransient);
    }
}
