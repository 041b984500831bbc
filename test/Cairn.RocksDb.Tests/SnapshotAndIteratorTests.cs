using static Cairn.RocksDb.Tests.TestData;

namespace Cairn.RocksDb.Tests;

public sealed class SnapshotAndIteratorTests
{
    [Fact]
    public void Snapshot_does_not_see_later_writes()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("write");
        for (var i = 10; i < 20; i++)
        {
            db.Put(cf, Key(i, "a"), B($"old{i}"));
        }

        using var snapshot = db.CreateSnapshot();
        db.Put(cf, Key(15, "a"), B("NEW15"));
        db.Put(cf, B(S(Key(15, "a")) + "5"), B("inserted"));
        db.Delete(cf, Key(11, "a"));

        using var atSnapshot = new ReadOptions { Snapshot = snapshot, LowerBound = Key(10, "a"), UpperBound = Key(20, "a") };
        Assert.Equal("old15", S(db.Get(cf, Key(15, "a"), atSnapshot)));
        Assert.Equal("old11", S(db.Get(cf, Key(11, "a"), atSnapshot)));
        using (var it = db.NewIterator(cf, atSnapshot))
        {
            var rows = Scan(it);
            Assert.Equal(10, rows.Count);
            Assert.Contains((S(Key(15, "a")), "old15"), rows);
        }

        using (var live = db.NewIterator(cf, Key(10, "a"), Key(20, "a")))
        {
            var rows = Scan(live);
            Assert.Equal(10, rows.Count); // one deleted, one inserted
            Assert.Contains((S(Key(15, "a")), "NEW15"), rows);
            Assert.DoesNotContain(rows, r => r.Key == S(Key(11, "a")));
        }

        Assert.Equal(1UL, db.GetIntProperty(cf, "rocksdb.num-snapshots"));
    }

    [Fact]
    public void Bounded_iteration_forward_and_backward()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("write");
        for (var i = 0; i < 100; i++)
        {
            db.Put(cf, Key(i), B($"v{i}"));
        }

        db.Flush(cf);
        for (var i = 100; i < 120; i++)
        {
            db.Put(cf, Key(i), B($"v{i}")); // some in the memtable, some in an SST
        }

        using var it = db.NewIterator(cf, Key(30), Key(110));

        var forward = new List<string>();
        for (it.SeekToFirst(); it.Valid; it.Next())
        {
            forward.Add(S(it.Key));
        }

        it.ThrowIfError();
        Assert.Equal(Enumerable.Range(30, 80).Select(i => S(Key(i))), forward);

        var backward = new List<string>();
        for (it.SeekToLast(); it.Valid; it.Prev())
        {
            backward.Add(S(it.Key));
        }

        Assert.Equal(Enumerable.Range(30, 80).Reverse().Select(i => S(Key(i))), backward);

        it.Seek(Key(50));
        Assert.True(it.Valid);
        Assert.Equal(S(Key(50)), S(it.Key));
        Assert.Equal("v50", S(it.Value));

        it.Seek(Key(5)); // below the lower bound: clamps to the first key in range
        Assert.Equal(S(Key(30)), S(it.Key));

        it.SeekForPrev(B(S(Key(60)) + "x"));
        Assert.Equal(S(Key(60)), S(it.Key));

        it.Seek(Key(110)); // the upper bound is exclusive
        Assert.False(it.Valid);
        Assert.Throws<InvalidOperationException>(() => it.Key.Length);
        Assert.Throws<InvalidOperationException>(() => it.Next());

        it.SeekForPrev(Key(200));
        Assert.Equal(S(Key(109)), S(it.Key));
    }

    [Fact]
    public void Bounds_from_read_options_survive_garbage_collection_during_iteration()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("write");
        for (var i = 0; i < 2000; i++)
        {
            db.Put(cf, Key(i), B($"v{i}"));
        }

        db.Flush(cf);

        RocksDbIterator it;
        {
            // The managed bound arrays become garbage right away; only the iterator's native copies remain.
            var options = new ReadOptions { LowerBound = Key(500), UpperBound = Key(1500) };
            it = db.NewIterator(cf, options);
            options.Dispose();
        }

        using (it)
        {
            var count = 0;
            var expected = 500;
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
                if (count % 100 == 0)
                {
                    for (var g = 0; g < 2000; g++)
                    {
                        _ = new byte[256]; // churn the heap so anything left managed would move or be reused
                    }

                    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                    GC.WaitForPendingFinalizers();
                }

                Assert.Equal(S(Key(expected)), S(it.Key));
                expected++;
                count++;
            }

            it.ThrowIfError();
            Assert.Equal(1000, count);

            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var back = 0;
            for (it.SeekToLast(); it.Valid; it.Prev())
            {
                back++;
            }

            Assert.Equal(1000, back);
        }
    }

    [Fact]
    public void Iterator_options_are_applied()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("write");
        for (var i = 0; i < 50; i++)
        {
            db.Put(cf, Key(i), B("v"));
        }

        using var options = new ReadOptions
        {
            FillCache = false,
            TotalOrderSeek = true,
            PrefixSameAsStart = false,
            VerifyChecksums = true,
            PinData = true,
            ReadaheadSize = 1 << 20,
        };
        using var it = db.NewIterator(cf, options);
        Assert.Equal(50, Scan(it).Count);
        Assert.Equal("v", S(db.Get(cf, Key(3), options)));
    }

    [Fact]
    public void Disposing_the_database_while_an_iterator_is_alive_defers_the_close()
    {
        using var dir = new TempDirectory();
        var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("write");
        for (var i = 0; i < 100; i++)
        {
            db.Put(cf, Key(i), B($"v{i}"));
        }

        var snapshot = db.CreateSnapshot();
        using var snapshotRead = new ReadOptions { Snapshot = snapshot };
        var it = db.NewIterator(cf, snapshotRead);
        db.Put(cf, Key(1000), B("after snapshot"));

        db.Dispose();
        snapshot.Dispose();
        Assert.Throws<ObjectDisposedException>(() => db.Get(cf, Key(1)));

        // The iterator still works: it holds its column family, snapshot and database open.
        Assert.Equal(100, Scan(it).Count);

        // While it is alive the database is still open, so its lock is still held.
        var locked = Assert.Throws<RocksDbException>(() => OpenStore(dir.Path));
        Assert.Equal(RocksDbStatusKind.IOError, locked.Kind);

        it.Dispose();
        Assert.Throws<ObjectDisposedException>(() => it.SeekToFirst());

        // Now the database is closed and can be opened again.
        using var reopened = OpenStore(dir.Path);
        Assert.Equal("after snapshot", S(reopened.Get(reopened.GetColumnFamily("write"), Key(1000))));
    }

    [Fact]
    public void Disposing_the_database_while_a_snapshot_is_alive_defers_the_close()
    {
        using var dir = new TempDirectory();
        var db = OpenStore(dir.Path);
        var snapshot = db.CreateSnapshot();
        db.Dispose();
        Assert.Throws<RocksDbException>(() => OpenStore(dir.Path));
        snapshot.Dispose();
        using var reopened = OpenStore(dir.Path);
        Assert.Equal(0UL, reopened.GetIntProperty(reopened.DefaultColumnFamily, "rocksdb.num-snapshots"));
    }

    [Fact]
    public void Disposed_snapshot_cannot_be_used_for_new_reads()
    {
        using var dir = new TempDirectory();
        using var db = OpenStore(dir.Path);
        var cf = db.GetColumnFamily("write");
        var snapshot = db.CreateSnapshot();
        snapshot.Dispose();
        var options = new ReadOptions { Snapshot = snapshot };
        Assert.Throws<ObjectDisposedException>(() => db.NewIterator(cf, options));
        Assert.Throws<ObjectDisposedException>(() => db.Get(cf, B("k"), options));
        Assert.Equal(0UL, db.GetIntProperty(cf, "rocksdb.num-snapshots"));
    }
}
