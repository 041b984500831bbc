using System.Buffers;
using Cairn.Common.Mvcc;
using Cairn.RocksDb;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Store.Engine;
using Cairn.Store.Raw;
using Cairn.Store.Regions;
using Cairn.Store.Txn;
using Google.Protobuf;
using BackupError = Cairn.Rpc.Backup.Error;
using BackupFile = Cairn.Rpc.Backup.File;
using BackupResponse = Cairn.Rpc.Backup.BackupResponse;

namespace Cairn.Store.Backup;

/// <summary>
/// Backs up one region piece: the region ∩ the request, at one RocksDB snapshot taken while the region is checked
/// here, cut into file pairs at sst-max-size between keys. Transactional pieces go through the shared
/// <see cref="MvccScanner"/> (Latest for a full backup, Delta for an incremental one, which skips write-CF files by
/// their MVCC properties and adds what it read to <see cref="BackupFileContext.ScanStats"/>); raw pieces read the CF
/// as stored.
/// The scan runs synchronously between uploads, copying no key or value per entry beyond the SST writer's own.
/// </summary>
internal sealed class RegionBackup
{
    private const int CancellationCheckInterval = 1024;
    private readonly StoreEngine _engine;
    private readonly RegionManager _regions;

    public RegionBackup(StoreEngine engine, RegionManager regions)
    {
        _engine = engine;
        _regions = regions;
    }

    private enum Stop
    {
        End,
        Cut,
        Locked,
    }

    /// <summary>
    /// The piece of <paramref name="region"/> in [<paramref name="rawStart"/>, <paramref name="rawEnd"/>) (raw keys,
    /// already clipped to the region; empty end = unbounded). Paths of uploaded files are added to
    /// <paramref name="uploaded"/>; on a lock or region error they are removed by the caller.
    /// </summary>
    public async Task<BackupResponse> RunAsync(Region region, byte[] rawStart, byte[] rawEnd, Cairn.Rpc.Backup.BackupRequest request,
        BackupFileContext context, List<string> uploaded, CancellationToken cancellationToken)
    {
        var response = new BackupResponse { StartKey = ByteString.CopyFrom(rawStart), EndKey = ByteString.CopyFrom(rawEnd) };
        var checkContext = new Context
        {
            RegionId = region.Id,
            RegionEpoch = region.RegionEpoch.Clone(),
            Peer = _regions.LocalPeer(region)?.Clone(),
        };

        // The snapshot is taken while the region is admitted here; a move that freezes it afterwards drops nothing
        // the snapshot can see, so the region need not stay admitted for the whole (possibly rate-limited) upload.
        if (_regions.Enter(checkContext, out var current) is { } regionError)
        {
            response.Error = new BackupError { Msg = regionError.Message, RegionError = regionError };
            return response;
        }

        IDisposable scan;
        try
        {
            scan = request.IsRawKv ? OpenRaw(request.Cf, rawStart, rawEnd, current) : OpenTxn(rawStart, rawEnd, current, request);
        }
        finally
        {
            _regions.Exit(current.Id);
        }

        using (scan)
        {
            var fileContext = context with { Region = current };
            var files = scan is MvccScanner scanner
                ? await BackupTxnAsync(scanner, rawStart, rawEnd, fileContext, request.StartVersion != 0, uploaded, cancellationToken).ConfigureAwait(false)
                : await BackupRawAsync((RawScan)scan, rawStart, rawEnd, fileContext, uploaded, cancellationToken).ConfigureAwait(false);
            if (scan is MvccScanner { TableFilterCounters: { } counters })
            {
                context.ScanStats?.Add(counters);
            }
            if (files is null)
            {
                response.Error = new BackupError { Msg = "key is locked", KvError = ((MvccScanner)scan).Error };
                return response;
            }

            response.Files.AddRange(files);
            return response;
        }
    }

    private MvccScanner OpenTxn(byte[] rawStart, byte[] rawEnd, Region region, Cairn.Rpc.Backup.BackupRequest request)
    {
        var (lower, upper) = ScanBounds.Clip(rawStart, rawEnd, region);
        var options = request.StartVersion == 0
            ? MvccScanOptions.Latest(lower, upper, request.EndVersion)
            : MvccScanOptions.Delta(lower, upper, request.StartVersion, request.EndVersion);
        return new MvccScanner(_engine, options with { FillCache = false });
    }

    private RawScan OpenRaw(string cfName, byte[] rawStart, byte[] rawEnd, Region region)
    {
        var cf = _engine.ResolveCf(cfName) ?? throw new ArgumentException($"unknown column family '{cfName}'; a raw backup takes default, write or lock");
        var (lower, upper) = RawStorage.Clip(rawStart, rawEnd, region);
        return new RawScan(_engine, cf, lower, upper);
    }

    // Null when a lock stopped the scan (the scanner's Error says which).
    private static async Task<List<BackupFile>?> BackupTxnAsync(MvccScanner scanner, byte[] rawStart, byte[] rawEnd, BackupFileContext context,
        bool delta, List<string> uploaded, CancellationToken cancellationToken)
    {
        var files = new List<BackupFile>();
        var keyBuffer = ArrayPool<byte>.Shared.Rent(256);
        var lastKey = ArrayPool<byte>.Shared.Rent(256);
        var lastKeyLength = -1;
        var pending = false;
        var start = rawStart;
        try
        {
            while (true)
            {
                using var writer = new BackupWriter(context, start);
                var stop = FillTxn(scanner, writer, delta, ref pending, ref keyBuffer, ref lastKey, ref lastKeyLength, cancellationToken);
                if (stop == Stop.Locked)
                {
                    return null;
                }

                var end = stop == Stop.Cut ? scanner.Current.Key.ToArray() : rawEnd;
                files.AddRange(await writer.FinishAsync(end, uploaded, cancellationToken).ConfigureAwait(false));
                if (stop == Stop.End)
                {
                    return files;
                }

                start = end;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(keyBuffer);
            ArrayPool<byte>.Shared.Return(lastKey);
        }
    }

    // Writes entries until the range ends, a lock stops the scan, or the pair is full before a new key (the scanner
    // then stays on that entry, pending for the next pair).
    private static Stop FillTxn(MvccScanner scanner, BackupWriter writer, bool delta, ref bool pending, ref byte[] keyBuffer,
        ref byte[] lastKey, ref int lastKeyLength, CancellationToken cancellationToken)
    {
        var count = 0;
        while (true)
        {
            if (!pending && !scanner.MoveNext())
            {
                return scanner.Error is null ? Stop.End : Stop.Locked;
            }

            pending = false;
            var entry = scanner.Current;
            var sameKey = delta && lastKeyLength >= 0 && entry.EncodedKey.SequenceEqual(lastKey.AsSpan(0, lastKeyLength));
            if (writer.IsFull && !sameKey)
            {
                pending = true;
                return Stop.Cut;
            }

            var length = 1 + entry.EncodedKey.Length + MvccKey.TsLength;
            Grow(ref keyBuffer, length);
            keyBuffer[0] = MvccKey.DataPrefix;
            entry.EncodedKey.CopyTo(keyBuffer.AsSpan(1));
            var tsAt = keyBuffer.AsSpan(1 + entry.EncodedKey.Length, MvccKey.TsLength);
            if (entry.ValueInDefaultCf)
            {
                MvccKey.WriteTs(tsAt, entry.StartTs);
                var defaultFile = writer.Default;
                defaultFile.Put(keyBuffer.AsSpan(0, length), entry.Value);
                defaultFile.Account(entry.Key, entry.Value);
                MvccKey.WriteTs(tsAt, entry.CommitTs);
                writer.Main.Put(keyBuffer.AsSpan(0, length), entry.WriteRecord);
            }
            else
            {
                MvccKey.WriteTs(tsAt, entry.CommitTs);
                var writeFile = writer.Main;
                writeFile.Put(keyBuffer.AsSpan(0, length), entry.WriteRecord);
                writeFile.Account(entry.Key, entry.Value);
            }

            if (delta)
            {
                Grow(ref lastKey, entry.EncodedKey.Length);
                entry.EncodedKey.CopyTo(lastKey);
                lastKeyLength = entry.EncodedKey.Length;
            }

            if (++count % CancellationCheckInterval == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private static async Task<List<BackupFile>> BackupRawAsync(RawScan scan, byte[] rawStart, byte[] rawEnd, BackupFileContext context,
        List<string> uploaded, CancellationToken cancellationToken)
    {
        var files = new List<BackupFile>();
        var start = rawStart;
        scan.Iterator.SeekToFirst();
        while (true)
        {
            using var writer = new BackupWriter(context, start);
            var cut = FillRaw(scan.Iterator, writer, cancellationToken);
            var end = cut ? MvccKey.DecodeRawKvDataKey(scan.Iterator.Key).ToArray() : rawEnd;
            files.AddRange(await writer.FinishAsync(end, uploaded, cancellationToken).ConfigureAwait(false));
            if (!cut)
            {
                return files;
            }

            start = end;
        }
    }

    // Raw keys are written as stored (z + raw key) and counted over raw key and value; true when cut before a key.
    private static bool FillRaw(RocksDbIterator it, BackupWriter writer, CancellationToken cancellationToken)
    {
        var count = 0;
        var file = writer.Main;
        while (it.Valid)
        {
            if (writer.IsFull)
            {
                return true;
            }

            var key = it.Key;
            var value = it.Value;
            file.Put(key, value);
            file.Account(MvccKey.DecodeRawKvDataKey(key), value);
            it.Next();
            if (++count % CancellationCheckInterval == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        it.ThrowIfError();
        return false;
    }

    private static void Grow(ref byte[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(length);
        }
    }

    /// <summary>A raw CF's iterator over a piece at its own snapshot.</summary>
    private sealed class RawScan : IDisposable
    {
        private readonly Snapshot _snapshot;
        private readonly ReadOptions _read;

        public RawScan(StoreEngine engine, ColumnFamily cf, byte[] lower, byte[] upper)
        {
            _snapshot = engine.Db.CreateSnapshot();
            _read = new ReadOptions { Snapshot = _snapshot, FillCache = false };
            Iterator = engine.Db.NewIterator(cf, lower, upper, _read);
        }

        public RocksDbIterator Iterator { get; }

        public void Dispose()
        {
            Iterator.Dispose();
            _read.Dispose();
            _snapshot.Dispose();
        }
    }
}
