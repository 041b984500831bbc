using System.Diagnostics;
using Cairn.Common;
using Cairn.Common.Hashing;
using Cairn.Common.Keys;
using Cairn.Common.Mvcc;
using Cairn.RocksDb;
using Cairn.Rpc;
using Cairn.Rpc.Backup;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Tikvpb;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Server;

/// <summary>
/// The foundation's end-to-end check: codecs, the RocksDB binding and the RPC layer working together the way backup
/// and restore will use them. Every step verifies its result; the first mismatch fails the check.
/// </summary>
internal sealed class SmokeCheck(int keyCount, string? workDir, TextWriter output)
{
    private const long TableId = 42;
    private const int PieceSize = 16_384;

    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        var ownsDir = workDir is null;
        var dir = workDir ?? Path.Combine(Path.GetTempPath(), "cairn-smoke-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var commitTs = Tso.FromDateTimeOffset(DateTimeOffset.UtcNow);
            var expected = WriteSst(dir, commitTs, out var sstPath);
            using var db = RocksDatabase.Open(Path.Combine(dir, "db"), RocksDbOptions.WithColumnFamilies(["default", "write", "lock"]));
            Ingest(db, sstPath);
            if (!Check("scan after ingest", Scan(db, commitTs, [], []), expected))
            {
                return false;
            }
            var passed = await ServeAndVerifyAsync(db, commitTs, expected, cancellationToken).ConfigureAwait(false);
            output.WriteLine(passed ? "smoke: all checks passed" : "smoke: FAILED");
            return passed;
        }
        finally
        {
            if (ownsDir)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private KvChecksum WriteSst(string dir, ulong commitTs, out string path)
    {
        path = Path.Combine(dir, "smoke_write.sst");
        var checksum = KvChecksum.Empty;
        var value = new byte[48];
        var recordBuffer = new byte[128];
        var keyBuffer = new byte[64];
        var watch = Stopwatch.StartNew();
        using (var writer = SstFileWriter.Create(path, new SstFileWriterOptions { Compression = Compression.Lz4 }))
        {
            for (long handle = 0; handle < keyCount; handle++)
            {
                var rawKey = TableCodec.EncodeRecordKey(TableId, handle);
                FillValue(value, handle);
                var record = new WriteRecord(WriteType.Put, commitTs - 1, value);
                var recordLength = record.Encode(recordBuffer);
                var keyLength = MvccKey.WriteDataKey(keyBuffer, rawKey, commitTs);
                writer.Put(keyBuffer.AsSpan(0, keyLength), recordBuffer.AsSpan(0, recordLength));
                checksum = checksum.Add(rawKey, value);
            }
            var info = writer.Finish();
            output.WriteLine($"sst      {info.Puts:N0} MVCC versions, {info.FileSize / 1024.0 / 1024.0:F1} MiB lz4, written in {watch.ElapsedMilliseconds} ms");
        }
        return checksum;
    }

    private void Ingest(RocksDatabase db, string sstPath)
    {
        var watch = Stopwatch.StartNew();
        db.IngestExternalFile(db.GetColumnFamily("write"), sstPath, new IngestOptions { MoveFiles = true });
        output.WriteLine($"ingest   moved into the write CF in {watch.ElapsedMilliseconds} ms");
    }

    /// <summary>Reads back every version in [start, end) of the raw key space and checksums it as BR does.</summary>
    private static KvChecksum Scan(RocksDatabase db, ulong commitTs, byte[] rawStart, byte[] rawEnd)
    {
        var lower = rawStart.Length == 0 ? "z"u8.ToArray() : MvccKey.DataKey(rawStart);
        var upper = rawEnd.Length == 0 ? "{"u8.ToArray() : MvccKey.DataKey(rawEnd);
        var checksum = KvChecksum.Empty;
        using var iterator = db.NewIterator(db.GetColumnFamily("write"), lower, upper);
        for (iterator.SeekToFirst(); iterator.Valid; iterator.Next())
        {
            var rawKey = MvccKey.DecodeDataKey(iterator.Key, out var ts);
            var record = WriteRecordView.Parse(iterator.Value);
            if (ts != commitTs || record.Type != WriteType.Put)
            {
                throw new InvalidDataException($"Unexpected version at ts {ts} of type {record.Type}.");
            }
            checksum = checksum.Add(rawKey, record.ShortValue);
        }
        iterator.ThrowIfError();
        return checksum;
    }

    private async Task<bool> ServeAndVerifyAsync(RocksDatabase db, ulong commitTs, KvChecksum expected, CancellationToken cancellationToken)
    {
        await using var server = new RpcServer();
        server.AddService(new SmokeTikv(db, db.GetColumnFamily("default")));
        server.AddService(new SmokeBackup(db, keyCount));
        await server.StartAsync(cancellationToken).ConfigureAwait(false);
        output.WriteLine($"rpc      server listening on {server.Address}");

        using var channel = new RpcChannel(server.Address);
        const int RawKeys = 2_000;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < RawKeys; i++)
        {
            await channel.Tikv.RawPutAsync(new RawPutRequest
            {
                Key = ByteString.CopyFromUtf8($"raw/{i:D6}"),
                Value = ByteString.CopyFromUtf8($"value {i}"),
            }, cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
        }
        for (var i = 0; i < RawKeys; i++)
        {
            var response = await channel.Tikv.RawGetAsync(new RawGetRequest { Key = ByteString.CopyFromUtf8($"raw/{i:D6}") }, cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
            if (response.NotFound || response.Value.ToStringUtf8() != $"value {i}")
            {
                output.WriteLine($"FAILED   RawGet raw/{i:D6} returned {(response.NotFound ? "not found" : response.Value.ToStringUtf8())}");
                return false;
            }
        }
        var missing = await channel.Tikv.RawGetAsync(new RawGetRequest { Key = ByteString.CopyFromUtf8("raw/absent") }, cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
        if (!missing.NotFound)
        {
            output.WriteLine("FAILED   RawGet of a missing key did not answer not_found");
            return false;
        }
        var seconds = watch.Elapsed.TotalSeconds;
        output.WriteLine($"rpc      {2 * RawKeys + 1:N0} unary calls (RawPut, RawGet) verified, {(2 * RawKeys + 1) / seconds:N0} calls/s");

        watch.Restart();
        var streamed = KvChecksum.Empty;
        var responses = 0;
        await foreach (var response in channel.Backup.backup(new BackupRequest { EndVersion = commitTs }, cancellationToken: cancellationToken).ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            responses++;
            foreach (var file in response.Files)
            {
                streamed += new KvChecksum(file.Crc64Xor, file.TotalKvs, file.TotalBytes);
            }
        }
        output.WriteLine($"rpc      {responses} streamed responses in {watch.ElapsedMilliseconds} ms");
        return Check("checksum over the stream", streamed, expected);
    }

    private bool Check(string what, KvChecksum actual, KvChecksum expected)
    {
        if (actual == expected)
        {
            output.WriteLine($"ok       {what}: crc64xor {actual.Crc64Xor:x16}, {actual.TotalKvs:N0} kvs, {actual.TotalBytes:N0} bytes");
            return true;
        }
        output.WriteLine($"FAILED   {what}: got {actual}, expected {expected}");
        return false;
    }

    private static void FillValue(Span<byte> value, long handle)
    {
        // Deterministic, distinct per row, not all zeroes: enough for the checksum to notice any mix-up.
        var state = (ulong)handle * 0x9E3779B97F4A7C15UL + 1;
        for (var i = 0; i < value.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            value[i] = (byte)state;
        }
    }

    /// <summary>RawPut and RawGet straight on the database.</summary>
    private sealed class SmokeTikv(RocksDatabase db, ColumnFamily rawCf) : Tikv.TikvBase
    {
        public override Task<RawPutResponse> RawPut(RawPutRequest request, ServerCallContext context)
        {
            db.Put(rawCf, MvccKey.RawKvDataKey(request.Key.Span), request.Value.Span);
            return Task.FromResult(new RawPutResponse());
        }

        public override Task<RawGetResponse> RawGet(RawGetRequest request, ServerCallContext context)
        {
            var value = db.Get(rawCf, MvccKey.RawKvDataKey(request.Key.Span));
            return Task.FromResult(value is null
                ? new RawGetResponse { NotFound = true }
                : new RawGetResponse { Value = UnsafeByteOperations.UnsafeWrap(value) });
        }
    }

    /// <summary>
    /// One response per piece of the table's record range, each carrying the piece's checksum, as a store answers
    /// a backup request region by region.
    /// </summary>
    private sealed class SmokeBackup(RocksDatabase db, int keyCount) : Rpc.Backup.Backup.BackupBase
    {
        public override async Task backup(BackupRequest request, IServerStreamWriter<BackupResponse> responseStream, ServerCallContext context)
        {
            for (long first = 0; first < keyCount; first += PieceSize)
            {
                var start = TableCodec.EncodeRecordKey(TableId, first);
                var end = TableCodec.EncodeRecordKey(TableId, Math.Min(first + PieceSize, keyCount));
                var piece = Scan(db, request.EndVersion, start, end);
                await responseStream.WriteAsync(new BackupResponse
                {
                    StartKey = ByteString.CopyFrom(start),
                    EndKey = ByteString.CopyFrom(end),
                    Files =
                    {
                        new Rpc.Backup.File
                        {
                            Name = $"smoke_{first}_write.sst",
                            Cf = "write",
                            Crc64Xor = piece.Crc64Xor,
                            TotalKvs = piece.TotalKvs,
                            TotalBytes = piece.TotalBytes,
                        },
                    },
                }, context.CancellationToken).ConfigureAwait(false);
            }
        }
    }
}
