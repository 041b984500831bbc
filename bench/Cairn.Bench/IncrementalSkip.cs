using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Cairn.Common;
using Cairn.Common.Mvcc;
using Cairn.RocksDb;
using Cairn.Rpc;
using Cairn.Rpc.Backup;
using Cairn.Store;
using Grpc.Core;

namespace Cairn.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/Cairn.Bench -- incremental [rows] [percent]</c>: loads rows (sysbench-like:
/// 80 % of the values are 190 bytes and go to the default CF, 20 % are inlined) straight into an in-process store,
/// settles them in the bottom level, then commits new versions of <c>percent</c> of the rows (three quarters updates,
/// one quarter deletes) and flushes them, and backs up the same store side by side: a full backup at the end ts and an
/// incremental one from a ts between the load and the changes. Prints the SST bytes each read (RocksDB statistics:
/// <c>rocksdb.last.level.read.bytes</c> + <c>rocksdb.non.last.level.read.bytes</c>, and data blocks read,
/// <c>rocksdb.block.cache.data.miss</c>) and their wall times, and the ratios.
/// </summary>
internal static class IncrementalSkip
{
    private const int KeyLength = 19;

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        var percent = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 1.0;
        var root = Path.Combine(Path.GetTempPath(), "cairn-bench-incremental-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var node = new StoreNode(new StoreNodeOptions { Address = "127.0.0.1:0", DataDir = Path.Combine(root, "store") });
            await node.StartAsync();
            await using (node)
            {
                using var channel = new RpcChannel(node.Address);
                var engine = node.Engine;
                var db = engine.Db;
                var baseTs = Tso.Compose(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0);
                var random = new Random(7);
                Write(node, rows, baseTs, random, _ => true, deletes: false);
                foreach (var cf in new[] { engine.Default, engine.Write })
                {
                    db.Flush(cf);
                    db.CompactRange(cf);
                }

                var since = baseTs + 10;
                var changed = (int)(rows * percent / 100);
                var step = rows / Math.Max(changed, 1);
                var picked = new HashSet<int>();
                for (var i = 0; i < changed; i++)
                {
                    picked.Add((i * step) + random.Next(step));
                }

                // The changes: new versions committed after `since`, every fourth one a Delete.
                Write(node, rows, baseTs + 20, random, picked.Contains, deletes: true);
                db.Flush(engine.Default);
                db.Flush(engine.Write);
                var until = baseTs + 30;
                Console.WriteLine($"loaded {rows:N0} rows, changed {picked.Count:N0} ({percent}%); write CF files: {Describe(db, "write")}; default CF files: {Describe(db, "default")}");

                // Warm-up: compile the backup path with one small incremental backup.
                await BackupThroughput.BackupAsync(channel, Request(Path.Combine(root, "warm-up"), until - 1, until));

                var full = await MeasureAsync(db, channel, Request(Path.Combine(root, "full"), 0, until));
                var incremental = await MeasureAsync(db, channel, Request(Path.Combine(root, "incremental"), since, until));
                Report("full", full);
                Report("incremental", incremental);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"incremental / full: SST bytes read {Ratio(incremental.ReadBytes, full.ReadBytes):F4}, data blocks read {Ratio(incremental.DataBlocks, full.DataBlocks):F4}, wall time {incremental.Seconds / full.Seconds:F4}"));
            }

            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static double Ratio(ulong a, ulong b) => b == 0 ? double.NaN : (double)a / b;

    private static void Report(string name, Measurement m) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: {m.Kvs:N0} kvs, {m.Bytes / 1048576.0:F1} MiB logical, {m.Files} files in {m.Seconds:F3} s; SST bytes read {m.ReadBytes:N0}, data blocks read {m.DataBlocks:N0}"));

    private static BackupRequest Request(string folder, ulong startVersion, ulong endVersion) => new()
    {
        StartVersion = startVersion,
        EndVersion = endVersion,
        StorageBackend = new StorageBackend { Local = new Local { Path = folder } },
        CompressionType = CompressionType.Zstd,
    };

    private static string Describe(RocksDatabase db, string cf)
    {
        var files = db.GetLiveFiles().Where(f => f.ColumnFamilyName == cf).ToList();
        return string.Join(", ", files.GroupBy(f => f.Level).OrderBy(g => g.Key)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"L{g.Key}: {g.Count()} ({g.Sum(f => f.Size) / 1048576.0:F1} MiB)")));
    }

    private static async Task<Measurement> MeasureAsync(RocksDatabase db, RpcChannel channel, BackupRequest request)
    {
        var bytesBefore = ReadBytes(db);
        var blocksBefore = db.GetTicker("rocksdb.block.cache.data.miss");
        var clock = Stopwatch.StartNew();
        var (kvs, bytes, _, files) = await BackupThroughput.BackupAsync(channel, request);
        var seconds = clock.Elapsed.TotalSeconds;
        return new Measurement(kvs, bytes, files, seconds, ReadBytes(db) - bytesBefore, db.GetTicker("rocksdb.block.cache.data.miss") - blocksBefore);
    }

    private static ulong ReadBytes(RocksDatabase db) => db.GetTicker("rocksdb.last.level.read.bytes") + db.GetTicker("rocksdb.non.last.level.read.bytes");

    // Committed versions written straight into the write and default CFs (what a committed transaction leaves there):
    // start ts = ts + 1, commit ts = ts + 2, for every included row; with deletes, every fourth one is a Delete.
    private static void Write(StoreNode node, int rows, ulong ts, Random random, Func<int, bool> include, bool deletes)
    {
        var engine = node.Engine;
        var rawKey = new byte[KeyLength];
        "t"u8.CopyTo(rawKey);
        BinaryPrimitives.WriteUInt64BigEndian(rawKey.AsSpan(1), 0x8000_0000_0000_0064UL);
        "_r"u8.CopyTo(rawKey.AsSpan(9));
        var value = new byte[190];
        var record = new byte[128];
        var changes = 0;
        var batch = new WriteBatch();
        try
        {
            for (var i = 0; i < rows; i++)
            {
                if (!include(i))
                {
                    continue;
                }

                BinaryPrimitives.WriteUInt64BigEndian(rawKey.AsSpan(11), 0x8000_0000_0000_0000UL + (ulong)i);
                var isDelete = deletes && changes++ % 4 == 3;
                for (var b = 0; b < value.Length; b++)
                {
                    value[b] = (byte)(random.Next(4) == 0 ? random.Next(256) : 'a' + random.Next(16));
                }

                var longValue = i % 5 != 0;
                var shown = value.AsSpan(0, longValue ? 190 : 40);
                var write = isDelete ? new WriteRecord(WriteType.Delete, ts + 1) : new WriteRecord(WriteType.Put, ts + 1, longValue ? null : shown.ToArray());
                var length = write.Encode(record);
                batch.Put(engine.Write, MvccKey.DataKey(rawKey, ts + 2), record.AsSpan(0, length));
                if (longValue && !isDelete)
                {
                    batch.Put(engine.Default, MvccKey.DataKey(rawKey, ts + 1), shown);
                }

                if (batch.Count >= 8192)
                {
                    engine.WriteData(batch);
                    batch.Dispose();
                    batch = new WriteBatch();
                }
            }

            engine.WriteData(batch);
        }
        finally
        {
            batch.Dispose();
        }
    }

    private sealed record Measurement(ulong Kvs, ulong Bytes, int Files, double Seconds, ulong ReadBytes, ulong DataBlocks);
}
