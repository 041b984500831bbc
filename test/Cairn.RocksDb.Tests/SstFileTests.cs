using System.Diagnostics;
using static Cairn.RocksDb.Tests.TestData;

namespace Cairn.RocksDb.Tests;

public sealed class SstFileTests
{
    private const string SstDump = "/usr/bin/sst_dump";

    private static SstFileInfo WriteSst(string path, int from, int count, string valuePrefix = "v", SstFileWriterOptions? options = null)
    {
        using var writer = SstFileWriter.Create(path, options);
        for (var i = from; i < from + count; i++)
        {
            writer.Put(Key(i), B($"{valuePrefix}{i}-{new string('x', 60)}"));
        }

        return writer.Finish();
    }

    [Theory]
    [InlineData(Compression.None, false)]
    [InlineData(Compression.Snappy, false)]
    [InlineData(Compression.Lz4, false)]
    [InlineData(Compression.Zstd, false)]
    [InlineData(Compression.None, true)]
    [InlineData(Compression.Snappy, true)]
    [InlineData(Compression.Lz4, true)]
    [InlineData(Compression.Zstd, true)]
    public void Written_file_is_ingested_by_copy_or_move(Compression compression, bool move)
    {
        using var dir = new TempDirectory();
        var sst = dir.Sub("data.sst");
        var info = WriteSst(sst, 0, 5000, options: new SstFileWriterOptions { Compression = compression, BlockSize = 8192 });

        Assert.Equal(5000, info.Puts);
        Assert.Equal(5000, info.Entries);
        Assert.Equal(S(Key(0)), S(info.SmallestKey));
        Assert.Equal(S(Key(4999)), S(info.LargestKey));
        Assert.Equal(new FileInfo(sst).Length, info.FileSize);
        Assert.Equal(5000L * 9, info.RawKeyBytes);

        // Compressible values: any real codec must shrink the file well below the raw size.
        var raw = info.RawKeyBytes + info.RawValueBytes;
        if (compression == Compression.None)
        {
            Assert.True(info.FileSize > raw * 0.9, $"{info.FileSize} vs raw {raw}");
        }
        else
        {
            Assert.True(info.FileSize < raw * 0.5, $"{compression}: {info.FileSize} vs raw {raw}");
        }

        using var db = OpenStore(dir.Sub("db"));
        var cf = db.GetColumnFamily("write");
        db.IngestExternalFile(cf, sst, new IngestOptions { MoveFiles = move });
        Assert.Equal(!move, File.Exists(sst)); // a copy keeps the source, a move removes it
        Assert.StartsWith("v1234-", S(db.Get(cf, Key(1234))));
        using var it = db.NewIterator(cf);
        Assert.Equal(5000, Scan(it).Count);
        Assert.Null(db.Get(db.GetColumnFamily("default"), Key(1)));
    }

    [Fact]
    public void Move_ingest_removes_the_source_and_ingests_several_files_at_once()
    {
        using var dir = new TempDirectory();
        var a = dir.Sub("a.sst");
        var b = dir.Sub("b.sst");
        WriteSst(a, 0, 1000);
        WriteSst(b, 1000, 1000);

        using var db = OpenStore(dir.Sub("db"));
        var cf = db.GetColumnFamily("default");
        db.IngestExternalFiles(cf, [a, b], new IngestOptions { MoveFiles = true });
        Assert.False(File.Exists(a));
        Assert.False(File.Exists(b));
        using var it = db.NewIterator(cf);
        Assert.Equal(2000, Scan(it).Count);
        Assert.Equal(2, db.GetLiveFiles().Count(f => f.ColumnFamilyName == "default"));
    }

    [Fact]
    public void Ingest_overlapping_the_memtable_flushes_first_and_the_file_wins()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Sub("db"));
        var cf = db.GetColumnFamily("write");
        for (var i = 0; i < 100; i++)
        {
            db.Put(cf, Key(i), B("memtable"));
        }

        var sst = dir.Sub("overlap.sst");
        WriteSst(sst, 50, 100, "sst");
        db.IngestExternalFile(cf, sst);

        Assert.Equal("memtable", S(db.Get(cf, Key(49))));
        Assert.StartsWith("sst50-", S(db.Get(cf, Key(50))));
        Assert.StartsWith("sst149-", S(db.Get(cf, Key(149))));
        Assert.True(db.GetLiveFiles().Count(f => f.ColumnFamilyName == "write") >= 2); // flushed memtable + ingested file
    }

    [Fact]
    public void Ingest_overlapping_the_memtable_fails_when_blocking_flush_is_not_allowed()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Sub("db"));
        var cf = db.GetColumnFamily("write");
        db.Put(cf, Key(60), B("memtable"));
        var sst = dir.Sub("overlap.sst");
        WriteSst(sst, 50, 100);
        var ex = Assert.Throws<RocksDbException>(() =>
            db.IngestExternalFile(cf, sst, new IngestOptions { AllowBlockingFlush = false }));
        Assert.Equal(RocksDbStatusKind.InvalidArgument, ex.Kind);
        Assert.Equal("memtable", S(db.Get(cf, Key(60))));
    }

    [Fact]
    public void Snapshot_taken_before_ingest_does_not_see_the_file()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Sub("db"));
        var cf = db.GetColumnFamily("write");
        db.Put(cf, B("zz-before"), B("1"));
        using var snapshot = db.CreateSnapshot();
        var sst = dir.Sub("x.sst");
        WriteSst(sst, 0, 10);

        var refused = Assert.Throws<RocksDbException>(() =>
            db.IngestExternalFile(cf, sst, new IngestOptions { FailIfSnapshotsOpen = true }));
        Assert.Equal(RocksDbStatusKind.Busy, refused.Kind);
        Assert.Null(db.Get(cf, Key(3)));

        db.IngestExternalFile(cf, sst);
        using var atSnapshot = new ReadOptions { Snapshot = snapshot };
        Assert.Null(db.Get(cf, Key(3), atSnapshot));
        Assert.NotNull(db.Get(cf, Key(3)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Write_global_seqno_decides_whether_the_sequence_number_lands_in_the_file(bool writeGlobalSeqno)
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Sub("db"));
        var cf = db.GetColumnFamily("write");
        db.Put(cf, Key(5), B("old")); // overlap, so the file needs a global sequence number
        var sst = dir.Sub("g.sst");
        WriteSst(sst, 0, 10, "new");

        db.IngestExternalFile(cf, sst, new IngestOptions { WriteGlobalSeqno = writeGlobalSeqno });
        Assert.StartsWith("new5-", S(db.Get(cf, Key(5))));

        // The flushed memtable holds one entry, the ingested file ten; sst_dump reads the sequence number stored
        // in the file itself.
        var ingested = db.GetLiveFiles().Single(f => f.ColumnFamilyName == "write" && f.Entries == 10);
        var (exit, output) = Run(SstDump, $"--file={dir.Sub("db")}{ingested.Name} --command=scan --output_hex");
        Assert.Equal(0, exit);
        Assert.Contains("'" + Convert.ToHexString(Key(5)) + "'", output, StringComparison.OrdinalIgnoreCase);
        if (writeGlobalSeqno)
        {
            Assert.DoesNotContain(" seq:0,", output, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(output.Contains(" seq:0,", StringComparison.Ordinal), output);
        }
    }

    [Fact]
    public void SST_writer_supports_deletes_and_range_deletes()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Sub("db"));
        var cf = db.GetColumnFamily("default");
        for (var i = 0; i < 30; i++)
        {
            db.Put(cf, Key(i), B("old"));
        }

        db.Flush(cf);
        var sst = dir.Sub("tomb.sst");
        SstFileInfo info;
        using (var writer = SstFileWriter.Create(sst))
        {
            writer.Put(Key(1), B("new1"));
            writer.Delete(Key(2));
            writer.DeleteRange(Key(10), Key(20));
            writer.Put(Key(25), B("new25"));
            Assert.Equal(4, writer.Entries);
            info = writer.Finish();
        }

        Assert.Equal(2, info.Puts);
        Assert.Equal(1, info.Deletes);
        Assert.Equal(1, info.RangeDeletes);
        Assert.Equal(S(Key(1)), S(info.SmallestKey));
        Assert.Equal(S(Key(25)), S(info.LargestKey));

        db.IngestExternalFile(cf, sst);
        Assert.Equal("new1", S(db.Get(cf, Key(1))));
        Assert.Null(db.Get(cf, Key(2)));
        Assert.Equal("old", S(db.Get(cf, Key(3))));
        Assert.Null(db.Get(cf, Key(15)));
        Assert.Equal("old", S(db.Get(cf, Key(20))));
        Assert.Equal("new25", S(db.Get(cf, Key(25))));
    }

    [Fact]
    public void Out_of_order_keys_fail_with_RocksDBs_message()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("bad.sst");
        using var writer = SstFileWriter.Create(path);
        writer.Put(B("b"), B("1"));
        var ex = Assert.Throws<RocksDbException>(() => writer.Put(B("a"), B("2")));
        Assert.Equal(RocksDbStatusKind.InvalidArgument, ex.Kind);
        Assert.Contains("Keys must be added in strict ascending order", ex.Message, StringComparison.Ordinal);
        var dup = Assert.Throws<RocksDbException>(() => writer.Put(B("b"), B("3")));
        Assert.Equal(RocksDbStatusKind.InvalidArgument, dup.Kind);

        // The writer is still usable after a rejected key.
        writer.Put(B("c"), B("4"));
        Assert.Equal(2, writer.Finish().Puts);
    }

    [Fact]
    public void Empty_writer_is_reported_and_leaves_no_file()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("empty.sst");
        using (var writer = SstFileWriter.Create(path))
        {
            Assert.True(File.Exists(path));
            Assert.False(writer.TryFinish(out _));
        }

        Assert.False(File.Exists(path));

        var other = dir.Sub("empty2.sst");
        using (var writer = SstFileWriter.Create(other))
        {
            var ex = Assert.Throws<RocksDbException>(() => writer.Finish());
            Assert.Equal(RocksDbStatusKind.InvalidArgument, ex.Kind);
            Assert.Contains("no entries", ex.Message, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(other));
    }

    [Fact]
    public void Abandoned_writer_removes_its_partial_file()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("partial.sst");
        using (var writer = SstFileWriter.Create(path))
        {
            writer.Put(B("a"), B("1"));
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Unsupported_compression_is_rejected_by_the_writer()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("x.sst");
        var ex = Assert.Throws<RocksDbException>(() =>
            SstFileWriter.Create(path, new SstFileWriterOptions { Compression = Compression.Xpress }));
        Assert.Equal(RocksDbStatusKind.NotSupported, ex.Kind);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void SST_dump_verifies_our_file_and_shows_our_keys()
    {
        Assert.True(File.Exists(SstDump), $"{SstDump} is missing: install rocksdb-tools (scripts/setup.sh does).");
        using var dir = new TempDirectory();
        var path = dir.Sub("dump.sst");
        WriteSst(path, 0, 3000, options: new SstFileWriterOptions { Compression = Compression.Zstd });

        var (verifyExit, verifyOut) = Run(SstDump, $"--file={path} --command=verify");
        Assert.Equal(0, verifyExit);
        Assert.Contains("The file is ok", verifyOut, StringComparison.Ordinal);

        var (scanExit, scanOut) = Run(SstDump, $"--file={path} --command=scan --output_hex");
        Assert.Equal(0, scanExit);
        foreach (var i in new[] { 0, 1, 1500, 2999 })
        {
            Assert.Contains("'" + Convert.ToHexString(Key(i)) + "'", scanOut, StringComparison.OrdinalIgnoreCase);
        }

        var lines = scanOut.Split('\n').Count(l => l.Contains("seq:0, type:1", StringComparison.Ordinal));
        Assert.Equal(3000, lines);

        var (propsExit, propsOut) = Run(SstDump, $"--file={path} --show_properties");
        Assert.Equal(0, propsExit);
        Assert.Contains("ZSTD", propsOut, StringComparison.Ordinal);
        Assert.Contains("leveldb.BytewiseComparator", propsOut, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output) Run(string file, string arguments)
    {
        var psi = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.GetAwaiter().GetResult());
    }
}
