using System.Buffers.Binary;
using System.Diagnostics;
using Cairn.Common;
using Cairn.Common.Mvcc;
using Cairn.RocksDb;
using Cairn.Rpc;
using Cairn.Rpc.Backup;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Store;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/Cairn.Bench -- backup [MiB] [regions] [zstd|lz4]</c>: loads MiB of logical
/// data (keys + values as br counts them; 80 % of the values are 256 bytes and go to the default CF, 20 % are inlined)
/// straight into an in-process store, splits it into regions, backs it up over loopback to a local folder and prints
/// logical MiB/s of wall time and per CPU-second of the whole process (store and client).
/// </summary>
internal static class BackupThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var mib = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 256;
        var regions = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 4;
        var compression = args.Length > 3 && args[3] == "lz4" ? CompressionType.Lz4 : CompressionType.Zstd;
        var root = Path.Combine(Path.GetTempPath(), "cairn-bench-backup-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var node = new StoreNode(new StoreNodeOptions { Address = "127.0.0.1:0", DataDir = Path.Combine(root, "store") });
            await node.StartAsync();
            await using (node)
            {
                using var channel = new RpcChannel(node.Address);
                var (keys, logical, ts) = Load(node, mib);
                await SplitAsync(node, channel, keys, regions);
                // Settle the store so that only the backup is measured: no flush or compaction left from loading, and
                // the backup path compiled by a first small run.
                foreach (var cf in new[] { node.Engine.Default, node.Engine.Write })
                {
                    node.Engine.Db.Flush(cf);
                    node.Engine.Db.CompactRange(cf);
                }

                await BackupAsync(channel, new BackupRequest
                {
                    EndVersion = ts,
                    EndKey = ByteString.CopyFrom(MvccKey.DecodeKey(node.Regions.GetRegions()[0].EndKey.Span)),
                    StorageBackend = new StorageBackend { Local = new Local { Path = Path.Combine(root, "warm-up") } },
                    CompressionType = compression,
                });
                Console.WriteLine($"loaded {keys:N0} keys, {logical / 1048576.0:F1} MiB logical, {regions} regions, backup threads {node.Options.BackupThreads}, {compression}");

                var request = new BackupRequest
                {
                    EndVersion = ts,
                    StorageBackend = new StorageBackend { Local = new Local { Path = Path.Combine(root, "backup") } },
                    CompressionType = compression,
                };
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var (kvs, bytes, stored, _) = await BackupAsync(channel, request);

                var wall = clock.Elapsed.TotalSeconds;
                var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                var logicalMib = bytes / 1048576.0;
                Console.WriteLine($"backed up {kvs:N0} kvs, {logicalMib:F1} MiB logical, {stored / 1048576.0:F1} MiB stored in {wall:F2} s wall, {cpuSeconds:F2} CPU-s");
                Console.WriteLine($"{logicalMib / wall:F1} MiB/s wall, {logicalMib / cpuSeconds:F1} MiB per CPU-second");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Runs one backup request to its end; the files' kvs, logical bytes, stored bytes and count.</summary>
    internal static async Task<(ulong Kvs, ulong Bytes, ulong Stored, int Files)> BackupAsync(RpcChannel channel, BackupRequest request)
    {
        ulong kvs = 0, bytes = 0, stored = 0;
        var files = 0;
        using var call = channel.Backup.backup(request);
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            if (response.Error is not null)
            {
                throw new InvalidOperationException(response.Error.ToString());
            }

            foreach (var file in response.Files)
            {
                kvs += file.TotalKvs;
                bytes += file.TotalBytes;
                stored += file.Size;
                files++;
            }
        }

        return (kvs, bytes, stored, files);
    }

    // Committed puts written straight into the write and default CFs, one version per key.
    private static (int Keys, long Logical, ulong ReadTs) Load(StoreNode node, int mib)
    {
        var engine = node.Engine;
        var random = new Random(7);
        var text = new byte[1 << 20];
        for (var i = 0; i < text.Length; i++)
        {
            // Row-like bytes: compressible about 2:1, as table data usually is.
            text[i] = (byte)(random.Next(4) == 0 ? random.Next(256) : 'a' + random.Next(16));
        }

        var ts = Tso.Compose(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0);
        var rawKey = new byte[19];
        "t"u8.CopyTo(rawKey);
        BinaryPrimitives.WriteUInt64BigEndian(rawKey.AsSpan(1), 0x8000_0000_0000_0064UL);
        "_r"u8.CopyTo(rawKey.AsSpan(9));
        long logical = 0;
        var keys = 0;
        var record = new byte[128];
        while (logical < (long)mib << 20)
        {
            using var batch = new WriteBatch();
            for (var n = 0; n < 4096; n++, keys++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(rawKey.AsSpan(11), 0x8000_0000_0000_0000UL + (ulong)keys);
                var longValue = keys % 5 != 0;
                var value = text.AsSpan(random.Next(text.Length - 256), longValue ? 256 : 40);
                var startTs = ts + 1;
                var write = new WriteRecord(WriteType.Put, startTs, longValue ? null : value.ToArray());
                var length = write.Encode(record);
                batch.Put(engine.Write, MvccKey.DataKey(rawKey, ts + 2), record.AsSpan(0, length));
                if (longValue)
                {
                    batch.Put(engine.Default, MvccKey.DataKey(rawKey, startTs), value);
                }

                logical += rawKey.Length + value.Length;
            }

            engine.WriteData(batch);
        }

        return (keys, logical, ts + 3);
    }

    private static async Task SplitAsync(StoreNode node, RpcChannel channel, int keys, int regions)
    {
        for (var i = 1; i < regions; i++)
        {
            var split = new byte[19];
            "t"u8.CopyTo(split);
            BinaryPrimitives.WriteUInt64BigEndian(split.AsSpan(1), 0x8000_0000_0000_0064UL);
            "_r"u8.CopyTo(split.AsSpan(9));
            BinaryPrimitives.WriteUInt64BigEndian(split.AsSpan(11), 0x8000_0000_0000_0000UL + (ulong)(keys / regions * i));
            var region = node.Regions.GetRegions()[^1];
            var context = new Context { RegionId = region.Id, RegionEpoch = region.RegionEpoch, Peer = region.Peers[0] };
            var response = await channel.Tikv.SplitRegionAsync(new SplitRegionRequest { Context = context, SplitKeys = { ByteString.CopyFrom(split) } }).ResponseAsync;
            if (response.RegionError is not null)
            {
                throw new InvalidOperationException(response.RegionError.ToString());
            }
        }
    }
}
