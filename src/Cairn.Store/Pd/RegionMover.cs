using System.Buffers;
using Cairn.Pd.Client;
using Cairn.RocksDb;
using Cairn.Rpc;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Storepb;
using Cairn.Store.Engine;
using Cairn.Store.Regions;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Cairn.Store.Pd;

/// <summary>
/// Moves regions between stores as pd instructs (both sides of <c>/cairn.storepb.StoreAdmin/ReceiveRegion</c>).
/// </summary>
/// <remarks>
/// <para>Source (the store leading the region): freeze the region (new requests get ServerIsBusy, which clients
/// retry), wait for requests already admitted to finish, write the region's data in every CF to SST files, stream
/// them to the target (header message, then chunks of at most 64 KiB), and wait for its answer. Only after the target confirms does
/// the source remove the region state (synced) and delete the data range in every CF; later requests get NotLeader
/// naming the new leader. If the transfer fails, the region is unfrozen and keeps being served here; pd repeats the
/// instruction on every heartbeat and the move is tried again.</para>
/// <para>Target: chunks go to files under <c>{data}/snap-recv/</c>; when the stream is complete it deletes any data
/// left in the range (from an earlier, interrupted attempt), ingests the files per CF with move_files, and only then
/// persists the region with the new peer and conf_ver + 1, so it starts leading and heartbeating. A partial receive is
/// never visible: the region does not exist on the target until that last step, and <c>snap-recv</c> is emptied at
/// start-up. The ingest takes no snapshot itself; reads of other regions may hold one at that moment, which costs
/// only a later rewrite of the ingested files by RocksDB, not correctness.</para>
/// <para>Crashes: target dies mid-receive → the source's call fails, the source unfreezes and keeps the region; the
/// target discards the partial files at restart. Source dies mid-send → the target's stream breaks and the partial
/// files are discarded; the source restarts with the region and serves it. Target dies after ingesting but before
/// persisting the region → the data is unreachable there and deleted by the next receive of the range. The window
/// left: the target has confirmed but the source dies before its synced removal of the region state. At start-up the
/// source asks pd about each of its regions and drops those pd knows with a higher conf_ver and no peer on this store
/// (the target heartbeats right after it persists the region); only if that heartbeat had not reached pd either do
/// both stores serve the region until the source is restarted again.</para>
/// </remarks>
internal sealed partial class RegionMover : IAsyncDisposable
{
    // Below the large-object threshold (85,000 bytes): the receiver's parser copies each chunk into a new ByteString,
    // which then dies young in gen0 instead of churning the LOH and forcing gen2 collections.
    private const int ChunkSize = 64 * 1024;
    private readonly StoreEngine _engine;
    private readonly RegionManager _regions;
    private readonly PdClient? _pd;
    private readonly RpcChannelPool _channels;
    private readonly string _receiveDir;
    private readonly string _sendDir;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly HashSet<ulong> _moving = [];
    private readonly List<Task> _running = [];
    private readonly CancellationTokenSource _stop = new();

    /// <summary>
    /// Creates the mover; <paramref name="pd"/> resolves target store addresses (null: receive only) and
    /// <paramref name="channels"/> holds the channels to them.
    /// </summary>
    public RegionMover(StoreEngine engine, RegionManager regions, PdClient? pd, RpcChannelPool channels, string dataDir, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(channels);
        _channels = channels;
        _engine = engine;
        _regions = regions;
        _pd = pd;
        _logger = logger;
        _receiveDir = Path.Combine(dataDir, "snap-recv");
        _sendDir = Path.Combine(dataDir, "snap-send");
        // Leftovers of transfers cut short by a crash are discarded (see the remarks).
        foreach (var dir in new[] { _receiveDir, _sendDir })
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            Directory.CreateDirectory(dir);
        }
    }

    /// <summary>Raised when a region was received and is now led here.</summary>
    public event Action<ulong>? RegionAdded;

    /// <summary>
    /// Starts moving a region as pd asked, unless it is already moving, not here, not led by <paramref name="remove"/>
    /// or the instruction's epoch is stale.
    /// </summary>
    public void TryStart(ulong regionId, RegionEpoch? epoch, Peer add, Peer remove)
    {
        var region = _regions.GetRegion(regionId);
        if (region is null || _regions.LocalPeer(region) is not { } local || local.Id != remove.Id || add.StoreId == _regions.StoreId)
        {
            return;
        }

        if (epoch is not null && (epoch.Version < region.RegionEpoch.Version || epoch.ConfVer < region.RegionEpoch.ConfVer))
        {
            return;
        }

        lock (_gate)
        {
            if (_stop.IsCancellationRequested || !_moving.Add(regionId))
            {
                return;
            }

            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(Task.Run(() => MoveAsync(regionId, add, _stop.Token)));
        }
    }

    private async Task MoveAsync(ulong regionId, Peer add, CancellationToken cancellationToken)
    {
        var frozen = false;
        var dir = Path.Combine(_sendDir, $"{regionId}-{Guid.NewGuid():N}");
        try
        {
            if (_pd is null || !_regions.Freeze(regionId, true))
            {
                return;
            }

            frozen = true;
            await _regions.DrainAsync(regionId, cancellationToken).ConfigureAwait(false);
            var region = _regions.GetRegion(regionId)!;
            var target = await _pd.GetStoreAsync(add.StoreId, cancellationToken).ConfigureAwait(false);
            var moved = region.Clone();
            var local = _regions.LocalPeer(region)!;
            moved.Peers.Remove(moved.Peers.First(p => p.Id == local.Id));
            moved.Peers.Add(add.Clone());
            moved.RegionEpoch = new RegionEpoch { ConfVer = region.RegionEpoch.ConfVer + 1, Version = region.RegionEpoch.Version };
            Directory.CreateDirectory(dir);
            var files = WriteSsts(region, dir);
            Log.Sending(_logger, regionId, target.Address, files.Count);
            var call = _channels.Get(target.Address).StoreAdmin.ReceiveRegion(
                RpcChannel.CallOptions(new RpcCallOptions { Timeout = TimeSpan.FromMinutes(5) }, cancellationToken));
            var answer = await call.SendAllAsync(Chunks(moved, files, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (answer.Error.Length > 0)
            {
                throw new InvalidOperationException($"store {add.StoreId} refused region {regionId}: {answer.Error}");
            }

            // The target leads now: forget the region, then its data.
            DropRegion(region, add.Clone());
            frozen = false;

            Log.Moved(_logger, regionId, add.StoreId);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.MoveFailed(_logger, regionId, e);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            if (frozen)
            {
                _regions.Freeze(regionId, false);
            }

            TryDelete(dir);
            lock (_gate)
            {
                _moving.Remove(regionId);
            }
        }
    }

    /// <summary>
    /// Removes a region that now lives elsewhere: its state first (synced; requests then get NotLeader naming
    /// <paramref name="newLeader"/>), then its data in every CF. A crash in between leaves data no region covers,
    /// which no request can reach and which a later receive of the range deletes before ingesting.
    /// </summary>
    internal void DropRegion(Region region, Peer? newLeader)
    {
        _regions.RemoveRegion(region.Id, newLeader);
        var (lower, upper) = RegionSizeScanner.DataRange(region);
        using var batch = new WriteBatch();
        foreach (var cf in new[] { _engine.Default, _engine.Write, _engine.Lock })
        {
            batch.DeleteRange(cf, lower, upper);
        }

        _engine.WriteData(batch);
    }

    private List<(string Cf, string Path)> WriteSsts(Region region, string dir)
    {
        var (lower, upper) = RegionSizeScanner.DataRange(region);
        var files = new List<(string, string)>();
        foreach (var (name, cf) in new[] { (CfNames.Default, _engine.Default), (CfNames.Write, _engine.Write), (CfNames.Lock, _engine.Lock) })
        {
            var path = Path.Combine(dir, name + ".sst");
            using var it = _engine.Db.NewIterator(cf, lower, upper);
            SstFileWriter? writer = null;
            try
            {
                for (it.SeekToFirst(); it.Valid; it.Next())
                {
                    writer ??= SstFileWriter.Create(path);
                    writer.Put(it.Key, it.Value);
                }

                it.ThrowIfError();
                if (writer is not null)
                {
                    writer.Finish();
                    files.Add((name, path));
                }
            }
            finally
            {
                writer?.Dispose();
            }
        }

        return files;
    }

    private static async IAsyncEnumerable<RegionSnapshotChunk> Chunks(Region moved, List<(string Cf, string Path)> files,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new RegionSnapshotChunk { Region = moved };
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            foreach (var (cf, path) in files)
            {
                yield return new RegionSnapshotChunk { Cf = cf, FileStart = true };
                var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, useAsync: true);
                await using var disposeStream = stream.ConfigureAwait(false);
                int n;
                while ((n = await stream.ReadAsync(buffer.AsMemory(0, ChunkSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    // No copy into a ByteString: the sender serializes the chunk straight from the buffer, and its write
                    // completes (so the next read may reuse the buffer) only once the message is in the HTTP/2 stream.
                    yield return new RegionSnapshotChunk { Data = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, n)) };
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The target's side of <c>/cairn.storepb.StoreAdmin/ReceiveRegion</c>: the chunks of <paramref name="chunks"/> go
    /// to files, which are ingested once the stream is complete (see the remarks).
    /// </summary>
    internal async Task<ReceiveRegionResponse> ReceiveAsync(IAsyncStreamReader<RegionSnapshotChunk> chunks, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(_receiveDir, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var files = new List<(string Cf, string Path)>();
        FileStream? current = null;
        Region? region = null;
        try
        {
            while (await chunks.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var chunk = chunks.Current;
                if (!chunk.Data.IsEmpty)
                {
                    if (current is null)
                    {
                        return new ReceiveRegionResponse { Error = "data before a file start" };
                    }

                    // The parser's ByteString is the only copy on this side; the file write reads it in place.
                    await current.WriteAsync(chunk.Data.Memory, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (chunk.Region is not null)
                {
                    region = chunk.Region;
                }
                else if (chunk.FileStart)
                {
                    if (current is not null)
                    {
                        await current.DisposeAsync().ConfigureAwait(false);
                    }

                    if (_engine.ResolveCf(chunk.Cf) is null)
                    {
                        return new ReceiveRegionResponse { Error = $"unknown column family '{chunk.Cf}'" };
                    }

                    var path = Path.Combine(dir, $"{files.Count}-{chunk.Cf}.sst");
                    files.Add((chunk.Cf, path));
                    current = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                }
            }

            if (current is not null)
            {
                await current.FlushAsync(cancellationToken).ConfigureAwait(false);
                await current.DisposeAsync().ConfigureAwait(false);
                current = null;
            }

            if (region is null || _regions.LocalPeer(region) is null)
            {
                return new ReceiveRegionResponse { Error = "the snapshot names no peer on this store" };
            }

            if (_regions.GetRegion(region.Id) is { } existing)
            {
                // A repeat of a move that already completed here.
                return existing.RegionEpoch.ConfVer >= region.RegionEpoch.ConfVer
                    ? new ReceiveRegionResponse()
                    : new ReceiveRegionResponse { Error = $"region {region.Id} is already here with an older epoch" };
            }

            var (lower, upper) = RegionSizeScanner.DataRange(region);
            using (var batch = new WriteBatch())
            {
                foreach (var cf in new[] { _engine.Default, _engine.Write, _engine.Lock })
                {
                    batch.DeleteRange(cf, lower, upper);
                }

                _engine.WriteData(batch);
            }

            foreach (var (cf, path) in files)
            {
                _engine.Db.IngestExternalFile(_engine.ResolveCf(cf)!, path, new IngestOptions { MoveFiles = true });
            }

            _regions.PutRegion(region);
            Log.Received(_logger, region.Id, files.Count);
            RegionAdded?.Invoke(region.Id);
            return new ReceiveRegionResponse();
        }
        finally
        {
            if (current is not null)
            {
                await current.DisposeAsync().ConfigureAwait(false);
            }

            TryDelete(dir);
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_gate)
        {
            _stop.Cancel();
            running = [.. _running];
        }

        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Moving region {RegionId} to {Target} ({Files} SST files)")]
        public static partial void Sending(ILogger logger, ulong regionId, string target, int files);

        [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Region {RegionId} moved to store {StoreId}")]
        public static partial void Moved(ILogger logger, ulong regionId, ulong storeId);

        [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Moving region {RegionId} failed; it stays here")]
        public static partial void MoveFailed(ILogger logger, ulong regionId, Exception exception);

        [LoggerMessage(EventId = 2203, Level = LogLevel.Information, Message = "Received region {RegionId} ({Files} SST files); leading it now")]
        public static partial void Received(ILogger logger, ulong regionId, int files);
    }
}
