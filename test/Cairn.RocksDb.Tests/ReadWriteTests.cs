using System.Buffers;
using static Cairn.RocksDb.Tests.TestData;

namespace Cairn.RocksDb.Tests;

public sealed class ReadWriteTests
{
    [Fact]
    public void Put_get_delete_and_single_delete()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("default");

        Assert.Null(db.Get(cf, B("missing")));
        db.Put(cf, B("a"), B("1"));
        db.Put(cf, B("b"), B("2"));
        db.Put(cf, B("empty"), []);
        Assert.Equal("1", S(db.Get(cf, B("a"))));
        var empty = db.Get(cf, B("empty"));
        Assert.NotNull(empty);
        Assert.Empty(empty);

        db.Delete(cf, B("a"));
        Assert.Null(db.Get(cf, B("a")));

        db.SingleDelete(cf, B("b"));
        Assert.Null(db.Get(cf, B("b")));
    }

    [Fact]
    public void Try_get_copies_into_a_buffer_writer_and_distinguishes_not_found()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("write");
        var value = new byte[10_000];
        Random.Shared.NextBytes(value);
        db.Put(cf, B("big"), value);

        var writer = new ArrayBufferWriter<byte>();
        writer.Write(B("prefix:"));
        Assert.True(db.TryGet(cf, B("big"), writer));
        Assert.Equal(7 + value.Length, writer.WrittenCount);
        Assert.True(writer.WrittenSpan[7..].SequenceEqual(value));

        var before = writer.WrittenCount;
        Assert.False(db.TryGet(cf, B("nope"), writer));
        Assert.Equal(before, writer.WrittenCount);
    }

    [Fact]
    public void Get_pinned_returns_the_value_without_copy_and_null_when_missing()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("write");
        db.Put(cf, B("k"), B("pinned-value"));
        db.Flush(cf);

        Assert.Null(db.GetPinned(cf, B("other")));
        var pinned = db.GetPinned(cf, B("k"));
        Assert.NotNull(pinned);
        using (pinned)
        {
            Assert.Equal("pinned-value", S(pinned.Span));
            Assert.Equal(12, pinned.Length);
        }

        Assert.Throws<ObjectDisposedException>(() => pinned.Span.Length);
    }

    [Fact]
    public void Delete_range_removes_only_the_half_open_range()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("write");
        for (var i = 0; i < 100; i++)
        {
            db.Put(cf, Key(i), B($"v{i}"));
        }

        db.Flush(cf);
        db.DeleteRange(cf, Key(10), Key(20));

        Assert.NotNull(db.Get(cf, Key(9)));
        for (var i = 10; i < 20; i++)
        {
            Assert.Null(db.Get(cf, Key(i)));
        }

        Assert.NotNull(db.Get(cf, Key(20)));
        using var it = db.NewIterator(cf);
        Assert.Equal(90, Scan(it).Count);
    }

    [Fact]
    public void Write_batch_is_atomic_across_column_families()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var write = db.GetColumnFamily("write");
        var lockCf = db.GetColumnFamily("lock");
        var data = db.DefaultColumnFamily;
        db.Put(lockCf, B("lock-k"), B("locked"));
        db.Put(data, B("r1"), B("x"));
        db.Put(data, B("r2"), B("x"));

        using var batch = new WriteBatch();
        batch.Put(write, B("commit-k"), B("committed"));
        batch.Delete(lockCf, B("lock-k"));
        batch.DeleteRange(data, B("r1"), B("r3"));
        batch.Put(data, B("d"), B("new"));
        Assert.Equal(4, batch.Count);
        Assert.True(batch.DataSize > 0);

        using var before = db.CreateSnapshot();
        db.Write(batch);

        using var beforeRead = new ReadOptions { Snapshot = before };
        Assert.Null(db.Get(write, B("commit-k"), beforeRead));
        Assert.Equal("locked", S(db.Get(lockCf, B("lock-k"), beforeRead)));
        Assert.NotNull(db.Get(data, B("r1"), beforeRead));

        Assert.Equal("committed", S(db.Get(write, B("commit-k"))));
        Assert.Null(db.Get(lockCf, B("lock-k")));
        Assert.Null(db.Get(data, B("r1")));
        Assert.Null(db.Get(data, B("r2")));
        Assert.Equal("new", S(db.Get(data, B("d"))));

        batch.Clear();
        Assert.Equal(0, batch.Count);
        batch.SingleDelete(write, B("commit-k"));
        db.Write(batch);
        Assert.Null(db.Get(write, B("commit-k")));
    }

    [Fact]
    public async Task Concurrent_snapshots_never_see_half_a_batch()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var write = db.GetColumnFamily("write");
        var lockCf = db.GetColumnFamily("lock");
        const int Rounds = 3000;

        var writer = Task.Run(() =>
        {
            using var batch = new WriteBatch();
            for (var i = 1; i <= Rounds; i++)
            {
                batch.Clear();
                batch.Put(lockCf, B("txn"), B($"{i}"));
                batch.Put(write, B("txn"), B($"{i}"));
                batch.Put(db.DefaultColumnFamily, B("txn"), B($"{i}"));
                db.Write(batch);
            }
        });

        var checkedSnapshots = 0;
        while (!writer.IsCompleted || checkedSnapshots == 0)
        {
            using var snapshot = db.CreateSnapshot();
            using var read = new ReadOptions { Snapshot = snapshot };
            var a = db.Get(lockCf, B("txn"), read);
            var b = db.Get(write, B("txn"), read);
            var c = db.Get(db.DefaultColumnFamily, B("txn"), read);
            Assert.Equal(a is null ? null : S(a), b is null ? null : S(b));
            Assert.Equal(a is null ? null : S(a), c is null ? null : S(c));
            checkedSnapshots++;
        }

        await writer;
        Assert.Equal($"{Rounds}", S(db.Get(lockCf, B("txn"))));
        Assert.True(checkedSnapshots > 0);
    }

    [Fact]
    public void Batch_naming_a_dropped_column_family_fails_after_applying_its_earlier_updates()
    {
        // Documents the RocksDB 7.8 hazard described on DropColumnFamily: the failure is reported, but the updates
        // before the dropped column family are already in the memtable.
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var write = db.GetColumnFamily("write");
        var doomed = db.CreateColumnFamily("doomed");
        using var batch = new WriteBatch();
        batch.Put(write, B("k1"), B("v1"));
        batch.Put(doomed, B("k2"), B("v2"));
        db.DropColumnFamily(doomed);

        var ex = Assert.Throws<RocksDbException>(() => db.Write(batch));
        Assert.Equal(RocksDbStatusKind.InvalidArgument, ex.Kind);
        Assert.Contains("column family", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("v1", S(db.Get(write, B("k1"))));
    }

    [Fact]
    public void Write_batch_refuses_column_families_of_two_databases()
    {
        using var dir = new TempDirectory();
        using var a = OpenStore(dir.Sub("a"));
        using var b = OpenStore(dir.Sub("b"));
        using var batch = new WriteBatch();
        batch.Put(a.GetColumnFamily("write"), B("k"), B("v"));
        Assert.Throws<ArgumentException>(() => batch.Put(b.GetColumnFamily("write"), B("k"), B("v")));
        Assert.Throws<ArgumentException>(() => b.Write(batch));
        a.Write(batch);
        Assert.Equal("v", S(a.Get(a.GetColumnFamily("write"), B("k"))));

        batch.Clear();
        batch.Put(b.GetColumnFamily("lock"), B("k2"), B("v2"));
        b.Write(batch);
        Assert.Equal("v2", S(b.Get(b.GetColumnFamily("lock"), B("k2"))));
    }

    [Fact]
    public void Pinned_value_outlives_the_database_dispose()
    {
        using var dir = new TempDirectory();
        var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("write");
        db.Put(cf, B("k"), B("still-here"));
        var pinned = db.GetPinned(cf, B("k"))!;
        db.Dispose();
        Assert.Equal("still-here", S(pinned.Span));
        Assert.Throws<RocksDbException>(() => OpenStore(dir.Path));
        pinned.Dispose();
        using var reopened = OpenStore(dir.Path);
        Assert.Equal("still-here", S(reopened.Get(reopened.GetColumnFamily("write"), B("k"))));
    }

    [Fact]
    public void Disabled_WAL_writes_leave_the_log_untouched_and_synced_writes_grow_it()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("write");
        using var noWal = new WriteOptions(disableWal: true);
        using var synced = new WriteOptions(sync: true);
        Assert.True(noWal.DisableWal);
        Assert.True(synced.Sync);

        long WalBytes() => Directory.GetFiles(dir.Path, "*.log").Sum(f => new FileInfo(f).Length);

        var start = WalBytes();
        for (var i = 0; i < 200; i++)
        {
            db.Put(cf, Key(i), new byte[100], noWal);
        }

        Assert.Equal(start, WalBytes());
        Assert.NotNull(db.Get(cf, Key(199)));

        db.Put(cf, B("synced"), new byte[100], synced);
        using var batch = new WriteBatch();
        batch.Put(cf, B("batched"), new byte[100]);
        db.Write(batch, synced);
        Assert.True(WalBytes() > start + 200);
    }
}
