using System.Text;
using Cairn.Common.Mvcc;
using Cairn.RocksDb;
using Cairn.Store.Engine;
using Cairn.Store.Txn;

namespace Cairn.Store.Tests.Txn;

/// <summary>
/// The MVCC scanner on hand-written write/lock/default CF records with fixed timestamps: the latest mode (KvScan,
/// checksum, full backup), the delta and newest-in-range modes (incremental backup) and their boundaries, lock
/// reporting, and a seeded comparison with a brute-force model over many keys.
/// </summary>
public sealed class MvccScannerTests : IDisposable
{
    private static readonly byte[] LongA = Filled('A', 100);
    private static readonly byte[] LongC = Filled('C', 65);
    private readonly TempDirectory _dir = new();
    private readonly StoreEngine _engine;

    public MvccScannerTests()
    {
        _engine = StoreEngine.Open(_dir.Path, 8L * 1024 * 1024, syncDataWrites: false);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _dir.Dispose();
    }

    // a: Put a1 @10→11, Put long @20→21, Delete @30→31, Put a4 @40→41
    // b: Put b1 @10→12, Rollback @25, Lock record @26→27
    // c: Put long (65 bytes, just past the inline limit) @5→6, Delete @15→16
    // d: only a Put lock @35 (primary "d")
    // e: Put e1 @50→55
    // f: only a Rollback @18
    // g: Put g1 @1→2 and a Lock-type lock @33, which never blocks reads
    // h: Put h1 @3→4 and a Put lock @34 whose min_commit_ts (60) is past reads below 60
    private void WriteVectors()
    {
        using var batch = new WriteBatch();
        Put(batch, "a", 10, 11, "a1"u8.ToArray());
        Put(batch, "a", 20, 21, LongA);
        Write(batch, "a", 30, 31, new WriteRecord(WriteType.Delete, 30));
        Put(batch, "a", 40, 41, "a4"u8.ToArray());
        Put(batch, "b", 10, 12, "b1"u8.ToArray());
        Write(batch, "b", 25, 25, WriteRecord.Rollback(25, isProtected: true));
        Write(batch, "b", 26, 27, new WriteRecord(WriteType.Lock, 26));
        Put(batch, "c", 5, 6, LongC);
        Write(batch, "c", 15, 16, new WriteRecord(WriteType.Delete, 15));
        Lock(batch, "d", new LockRecord { Type = LockType.Put, Primary = Bytes("d"), StartTs = 35, Ttl = 3000, ShortValue = Bytes("d1") });
        Put(batch, "e", 50, 55, "e1"u8.ToArray());
        Write(batch, "f", 18, 18, WriteRecord.Rollback(18, isProtected: false));
        Put(batch, "g", 1, 2, "g1"u8.ToArray());
        Lock(batch, "g", new LockRecord { Type = LockType.Lock, Primary = Bytes("d"), StartTs = 33, Ttl = 3000 });
        Put(batch, "h", 3, 4, "h1"u8.ToArray());
        Lock(batch, "h", new LockRecord { Type = LockType.Put, Primary = Bytes("d"), StartTs = 34, Ttl = 3000, MinCommitTs = 60, ShortValue = Bytes("h2") });
        _engine.WriteData(batch);
    }

    [Fact]
    public void Latest_yields_the_newest_visible_put_of_each_key()
    {
        WriteVectors();
        Assert.Equal(["a=a1@11", "c=C*65@6", "g=g1@2", "h=h1@4"], Scan(MvccScanOptions.Latest([], [], 11)).Entries);
        Assert.Equal(["a=A*100@21", "b=b1@12", "g=g1@2", "h=h1@4"], Scan(MvccScanOptions.Latest([], [], 21)).Entries);
        Assert.Equal(["b=b1@12", "g=g1@2", "h=h1@4"], Scan(MvccScanOptions.Latest([], [], 31)).Entries);
        Assert.Equal(["a=a4@41", "b=b1@12", "e=e1@55", "g=g1@2", "h=h1@4"], Scan(MvccScanOptions.Latest([], [], 59) with { BypassLocks = [35] }).Entries);
        Assert.Empty(Scan(MvccScanOptions.Latest([], [], 1)).Entries);
    }

    [Fact]
    public void Latest_reports_where_values_come_from()
    {
        WriteVectors();
        using var scanner = new MvccScanner(_engine, MvccScanOptions.Latest(Enc("a"), Enc("b"), 21));
        Assert.True(scanner.MoveNext());
        var entry = scanner.Current;
        Assert.Equal(Bytes("a"), entry.Key.ToArray());
        Assert.Equal(Enc("a"), entry.EncodedKey.ToArray());
        Assert.Equal(WriteType.Put, entry.Type);
        Assert.Equal(20UL, entry.StartTs);
        Assert.Equal(21UL, entry.CommitTs);
        Assert.True(entry.ValueInDefaultCf);
        Assert.Equal(LongA, entry.Value.ToArray());
        Assert.Equal(_engine.Db.Get(_engine.Write, MvccKey.DataKey(Bytes("a"), 21)), entry.WriteRecord.ToArray());
        Assert.False(scanner.MoveNext());
        Assert.Null(scanner.Error);

        using var shortScan = new MvccScanner(_engine, MvccScanOptions.Latest(Enc("a"), Enc("b"), 11));
        Assert.True(shortScan.MoveNext());
        Assert.False(shortScan.Current.ValueInDefaultCf);
        Assert.Equal("a1"u8.ToArray(), shortScan.Current.Value.ToArray());
    }

    [Fact]
    public void Latest_reverse_and_key_only_and_bounds()
    {
        WriteVectors();
        Assert.Equal(["h=h1@4", "g=g1@2", "b=b1@12", "a=A*100@21"], Scan(MvccScanOptions.Latest([], [], 21) with { Reverse = true }).Entries);
        Assert.Equal(["b=b1@12", "a=A*100@21"], Scan(MvccScanOptions.Latest([], Enc("c"), 21) with { Reverse = true }).Entries);
        Assert.Equal(["a=@21", "b=@12"], Scan(MvccScanOptions.Latest([], Enc("c"), 21) with { KeyOnly = true }).Entries);
        Assert.Equal(["b=b1@12"], Scan(MvccScanOptions.Latest(Enc("b"), Enc("c"), 21)).Entries);
        Assert.Empty(Scan(MvccScanOptions.Latest(Enc("c"), Enc("b"), 21)).Entries);
    }

    [Fact]
    public void A_lock_at_or_below_the_read_ts_ends_the_scan_with_key_is_locked()
    {
        WriteVectors();
        var blocked = Scan(MvccScanOptions.Latest([], [], 40));
        Assert.Equal(["b=b1@12"], blocked.Entries);
        Assert.NotNull(blocked.Error?.Locked);
        Assert.Equal(Bytes("d"), blocked.Error!.Locked.Key.ToByteArray());
        Assert.Equal(35UL, blocked.Error.Locked.LockVersion);

        // Exactly at the lock's start ts it blocks; one below it does not.
        Assert.NotNull(Scan(MvccScanOptions.Latest([], [], 35)).Error);
        Assert.Null(Scan(MvccScanOptions.Latest([], [], 34)).Error);

        // Reverse scans meet the lock from the other side.
        var reverse = Scan(MvccScanOptions.Latest([], [], 40) with { Reverse = true });
        Assert.Equal(["h=h1@4", "g=g1@2"], reverse.Entries);
        Assert.Equal(35UL, reverse.Error?.Locked?.LockVersion);

        // The lock of h blocks once the read reaches its min_commit_ts.
        var pastMinCommit = Scan(MvccScanOptions.Latest(Enc("e"), [], 60) with { BypassLocks = [35] });
        Assert.Equal(["e=e1@55", "g=g1@2"], pastMinCommit.Entries);
        Assert.Equal(34UL, pastMinCommit.Error?.Locked?.LockVersion);
    }

    [Fact]
    public void Delta_yields_every_put_and_delete_in_the_range_newest_first()
    {
        WriteVectors();
        var all = Scan(MvccScanOptions.Delta([], [], 0, 59) with { BypassLocks = [35] });
        Assert.Null(all.Error);
        Assert.Equal(["a=a4@41", "a=del@31", "a=A*100@21", "a=a1@11", "b=b1@12", "c=del@16", "c=C*65@6", "e=e1@55", "g=g1@2", "h=h1@4"], all.Entries);
    }

    [Fact]
    public void Delta_excludes_the_start_ts_and_includes_the_end_ts()
    {
        WriteVectors();
        var options = MvccScanOptions.Delta([], [], 21, 41) with { BypassLocks = [35] };
        Assert.Equal(["a=a4@41", "a=del@31"], Scan(options).Entries);
        Assert.Equal(["a=a1@11", "b=b1@12"], Scan(MvccScanOptions.Delta([], [], 10, 12)).Entries);
        Assert.Equal(["b=b1@12"], Scan(MvccScanOptions.Delta([], [], 11, 12)).Entries);
        Assert.Equal(["c=del@16"], Scan(MvccScanOptions.Delta(Enc("c"), Enc("d"), 6, 16)).Entries);
        Assert.Empty(Scan(MvccScanOptions.Delta([], [], 41, 41) with { BypassLocks = [35] }).Entries);

        // Rollback (b@25, f@18) and Lock (b@27) records are never yielded.
        Assert.Empty(Scan(MvccScanOptions.Delta(Enc("b"), Enc("c"), 12, 30)).Entries);
        Assert.Empty(Scan(MvccScanOptions.Delta(Enc("f"), Enc("g"), 0, 30)).Entries);
    }

    [Fact]
    public void Newest_in_range_yields_one_put_or_delete_per_key_as_tikv_incremental_backup()
    {
        WriteVectors();
        Assert.Equal(["a=a4@41", "b=b1@12", "c=del@16", "e=e1@55", "g=g1@2", "h=h1@4"],
            Scan(MvccScanOptions.NewestInRange([], [], 0, 59) with { BypassLocks = [35] }).Entries);
        Assert.Equal(["a=a4@41"], Scan(MvccScanOptions.NewestInRange([], [], 21, 41) with { BypassLocks = [35] }).Entries);
        Assert.Equal(["a=del@31"], Scan(MvccScanOptions.NewestInRange([], [], 21, 35) with { BypassLocks = [35] }).Entries);
        Assert.Equal(["a=a1@11", "b=b1@12"], Scan(MvccScanOptions.NewestInRange([], [], 10, 12)).Entries);
        Assert.Equal(["b=b1@12"], Scan(MvccScanOptions.NewestInRange([], [], 11, 12)).Entries);
        Assert.Equal(["c=C*65@6"], Scan(MvccScanOptions.NewestInRange(Enc("c"), Enc("d"), 0, 15)).Entries);

        // b's newest records below 30 are a Lock record and a Rollback: its Put at 12 is the entry.
        Assert.Equal(["b=b1@12"], Scan(MvccScanOptions.NewestInRange(Enc("b"), Enc("c"), 11, 30)).Entries);
        Assert.Equal(Bytes("d"), Scan(MvccScanOptions.NewestInRange([], [], 21, 41)).Error?.Locked?.Key.ToByteArray());
    }

    [Fact]
    public void Delta_reports_locks_at_or_below_its_end_ts()
    {
        WriteVectors();
        var blocked = Scan(MvccScanOptions.Delta([], [], 21, 41));
        Assert.Equal(["a=a4@41", "a=del@31"], blocked.Entries);
        Assert.Equal(Bytes("d"), blocked.Error?.Locked?.Key.ToByteArray());
        Assert.Null(Scan(MvccScanOptions.Delta([], [], 0, 34)).Error);
    }

    [Fact]
    public void Both_modes_match_a_brute_force_model_over_many_keys()
    {
        var random = new Random(20261201);
        var model = new SortedDictionary<string, KeyHistory>(StringComparer.Ordinal);
        using (var batch = new WriteBatch())
        {
            for (var k = 0; k < 300; k++)
            {
                // Keys of varied length cross the 8-byte groups of the memcomparable encoding.
                var key = $"k{k:D3}" + new string('x', random.Next(0, 12));
                var history = new KeyHistory();
                ulong ts = (ulong)random.Next(1, 20);
                for (var v = random.Next(0, 14); v > 0; v--)
                {
                    var startTs = ts;
                    var commitTs = ts + (ulong)random.Next(1, 4);
                    ts = commitTs + 1;
                    switch (random.Next(6))
                    {
                        case 0:
                            Write(batch, key, startTs, commitTs, new WriteRecord(WriteType.Delete, startTs));
                            history.Versions.Add((commitTs, startTs, WriteType.Delete, null));
                            break;
                        case 1:
                            Write(batch, key, startTs, startTs, WriteRecord.Rollback(startTs, isProtected: random.Next(2) == 0));
                            history.Versions.Add((startTs, startTs, WriteType.Rollback, null));
                            ts = startTs + 1;
                            break;
                        case 2:
                            Write(batch, key, startTs, commitTs, new WriteRecord(WriteType.Lock, startTs));
                            history.Versions.Add((commitTs, startTs, WriteType.Lock, null));
                            break;
                        default:
                            var value = new byte[random.Next(2) == 0 ? random.Next(0, 65) : random.Next(65, 400)];
                            random.NextBytes(value);
                            Put(batch, key, startTs, commitTs, value);
                            history.Versions.Add((commitTs, startTs, WriteType.Put, value));
                            break;
                    }
                }

                if (random.Next(10) == 0)
                {
                    history.Lock = new LockRecord
                    {
                        Type = random.Next(3) == 0 ? LockType.Lock : LockType.Put,
                        Primary = Bytes("primary"),
                        StartTs = ts + (ulong)random.Next(0, 5),
                        Ttl = 3000,
                        ShortValue = [1],
                    };
                    Lock(batch, key, history.Lock);
                }

                model[key] = history;
            }

            _engine.WriteData(batch);
        }

        var lockTs = model.Values.Where(h => h.Lock is not null).Select(h => h.Lock!.StartTs).ToList();
        int compared = 0, locked = 0;
        foreach (var readTs in new ulong[] { 0, 5, 17, 30, 45, 80, ulong.MaxValue - 1 })
        {
            foreach (var bypass in new[] { null, lockTs })
            {
                var latest = Scan(MvccScanOptions.Latest([], [], readTs) with { BypassLocks = bypass });
                var (expected, expectedLock) = ModelLatest(model, readTs, bypass);
                Assert.Equal(expected, latest.Entries);
                Assert.Equal(expectedLock, latest.Error?.Locked?.Key.ToStringUtf8());
                compared += expected.Count;
                locked += expectedLock is null ? 0 : 1;

                var reverse = Scan(MvccScanOptions.Latest([], [], readTs) with { BypassLocks = bypass, Reverse = true });
                var (expectedReverse, expectedReverseLock) = ModelLatest(model.Reverse(), readTs, bypass);
                Assert.Equal(expectedReverse, reverse.Entries);
                Assert.Equal(expectedReverseLock, reverse.Error?.Locked?.Key.ToStringUtf8());
            }
        }

        foreach (var (startTs, endTs) in new (ulong, ulong)[] { (0, 10), (5, 17), (17, 30), (0, 60), (30, 30), (12, ulong.MaxValue - 1) })
        {
            foreach (var bypass in new[] { null, lockTs })
            {
                var delta = Scan(MvccScanOptions.Delta([], [], startTs, endTs) with { BypassLocks = bypass });
                var (expected, expectedLock) = ModelDelta(model, startTs, endTs, bypass);
                Assert.Equal(expected, delta.Entries);
                Assert.Equal(expectedLock, delta.Error?.Locked?.Key.ToStringUtf8());

                var newest = Scan(MvccScanOptions.NewestInRange([], [], startTs, endTs) with { BypassLocks = bypass });
                var (expectedNewest, _) = ModelDelta(model, startTs, endTs, bypass, newestOnly: true);
                Assert.Equal(expectedNewest, newest.Entries);
                Assert.Equal(expectedLock, newest.Error?.Locked?.Key.ToStringUtf8());
                compared += expected.Count;
                locked += expectedLock is null ? 0 : 1;
            }
        }

        // The vectors must exercise both outcomes, or the comparisons above prove little.
        Assert.True(compared > 1000, $"only {compared} entries compared");
        Assert.True(locked > 0, "no scan met a blocking lock");
    }

    private static (List<string> Entries, string? Lock) ModelLatest(IEnumerable<KeyValuePair<string, KeyHistory>> model, ulong readTs, List<ulong>? bypass)
    {
        var entries = new List<string>();
        foreach (var (key, history) in model)
        {
            if (ModelBlocks(history.Lock, readTs, bypass))
            {
                return (entries, key);
            }

            var visible = history.Versions.Where(v => v.CommitTs <= readTs && v.Type is WriteType.Put or WriteType.Delete)
                .OrderByDescending(v => v.CommitTs).FirstOrDefault();
            if (visible.Type == WriteType.Put)
            {
                entries.Add(Describe(key, visible.Value, visible.CommitTs));
            }
        }

        return (entries, null);
    }

    private static (List<string> Entries, string? Lock) ModelDelta(SortedDictionary<string, KeyHistory> model, ulong startTs, ulong endTs,
        List<ulong>? bypass, bool newestOnly = false)
    {
        var entries = new List<string>();
        foreach (var (key, history) in model)
        {
            if (ModelBlocks(history.Lock, endTs, bypass))
            {
                return (entries, key);
            }

            entries.AddRange(history.Versions
                .Where(v => v.CommitTs > startTs && v.CommitTs <= endTs && v.Type is WriteType.Put or WriteType.Delete)
                .OrderByDescending(v => v.CommitTs)
                .Take(newestOnly ? 1 : int.MaxValue)
                .Select(v => Describe(key, v.Type == WriteType.Put ? v.Value : null, v.CommitTs)));
        }

        return (entries, null);
    }

    // Independent restatement of the read rule: Put/Delete locks at or below the read block unless bypassed.
    private static bool ModelBlocks(LockRecord? lockRecord, ulong readTs, List<ulong>? bypass) =>
        lockRecord is { Type: LockType.Put or LockType.Delete } && lockRecord.StartTs <= readTs && lockRecord.MinCommitTs <= readTs
        && bypass?.Contains(lockRecord.StartTs) != true;

    private (List<string> Entries, Cairn.Rpc.Kvrpcpb.KeyError? Error) Scan(MvccScanOptions options)
    {
        var entries = new List<string>();
        using var scanner = new MvccScanner(_engine, options);
        while (scanner.MoveNext())
        {
            var entry = scanner.Current;
            Assert.Equal(MvccKey.EncodeKey(entry.Key), entry.EncodedKey.ToArray());
            Assert.Equal(entry.Type, WriteRecordView.Parse(entry.WriteRecord).Type);
            entries.Add(Describe(Encoding.UTF8.GetString(entry.Key),
                entry.Type == WriteType.Put ? (options.KeyOnly ? [] : entry.Value.ToArray()) : null, entry.CommitTs));
        }

        Assert.False(scanner.MoveNext());
        return (entries, scanner.Error);
    }

    // "key=value@commit_ts": short text as is, runs of one capital letter as "A*100", other bytes as a hash prefix
    // and the length; Deletes as "del".
    private static string Describe(string key, byte[]? value, ulong commitTs)
    {
        string text;
        if (value is null)
        {
            text = "del";
        }
        else if (value.Length <= 8 && value.All(b => char.IsAsciiLetterOrDigit((char)b)))
        {
            text = Encoding.ASCII.GetString(value);
        }
        else if (value.All(b => b == value[0]) && char.IsAsciiLetterUpper((char)value[0]))
        {
            text = $"{(char)value[0]}*{value.Length}";
        }
        else
        {
            text = $"{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(value))[..8]}*{value.Length}";
        }

        return $"{key}={text}@{commitTs}";
    }

    private void Put(WriteBatch batch, string key, ulong startTs, ulong commitTs, byte[] value)
    {
        if (value.Length <= WriteRecord.ShortValueMaxLength)
        {
            Write(batch, key, startTs, commitTs, new WriteRecord(WriteType.Put, startTs, value));
            return;
        }

        batch.Put(_engine.Default, MvccKey.DataKey(Bytes(key), startTs), value);
        Write(batch, key, startTs, commitTs, new WriteRecord(WriteType.Put, startTs));
    }

    private void Write(WriteBatch batch, string key, ulong startTs, ulong commitTs, WriteRecord record)
    {
        Assert.Equal(startTs, record.StartTs);
        batch.Put(_engine.Write, MvccKey.DataKey(Bytes(key), commitTs), record.ToBytes());
    }

    private void Lock(WriteBatch batch, string key, LockRecord lockRecord) =>
        batch.Put(_engine.Lock, MvccKey.DataKey(Bytes(key)), lockRecord.ToBytes());

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] Enc(string s) => MvccKey.EncodeKey(Bytes(s));

    private static byte[] Filled(char c, int length) => Enumerable.Repeat((byte)c, length).ToArray();

    private sealed class KeyHistory
    {
        public List<(ulong CommitTs, ulong StartTs, WriteType Type, byte[]? Value)> Versions { get; } = [];

        public LockRecord? Lock { get; set; }
    }
}
