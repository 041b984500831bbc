using System.Collections.Concurrent;
using System.Threading.Channels;
using Cairn.Pd.Client;
using Cairn.Rpc;
using Cairn.Rpc.Eraftpb;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Pdpb;
using Cairn.Store.Engine;
using Cairn.Store.Regions;
using Cairn.Store.Txn;
using Microsoft.Extensions.Logging;
using Region = Cairn.Rpc.Metapb.Region;

namespace Cairn.Store.Pd;

/// <summary>
/// The store's side of pd (see the remarks on <c>Cairn.Pd.PdServer</c>): the store heartbeat, one region heartbeat
/// stream (reopened whenever it ends, e.g. when pd restarts), the split checker, the GC worker, and the dispatch of
/// pd's move instructions to <see cref="RegionMover"/>.
/// </summary>
internal sealed partial class StorePdWorker : IAsyncDisposable
{
    private readonly StoreNodeOptions _options;
    private readonly PdClient _pd;
    private readonly RegionManager _regions;
    private readonly StoreEngine _engine;
    private readonly TxnStorage _txn;
    private readonly IIdAllocator _ids;
    private readonly RegionMover _mover;
    private readonly ILogger _logger;
    private readonly DateTimeOffset _startTime = DateTimeOffset.UtcNow;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<ulong, RegionSize> _sizes = new();
    private readonly Channel<ulong> _changed = Channel.CreateUnbounded<ulong>();
    private readonly List<Task> _loops = [];
    private readonly TaskCompletionSource _tombstoned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ulong _lastGcSafePoint;

    public StorePdWorker(StoreNodeOptions options, PdClient pd, RegionManager regions, StoreEngine engine, TxnStorage txn,
        IIdAllocator ids, RegionMover mover, ILogger logger)
    {
        _options = options;
        _pd = pd;
        _regions = regions;
        _engine = engine;
        _txn = txn;
        _ids = ids;
        _mover = mover;
        _logger = logger;
        _regions.RegionsSplit += OnSplit;
        _mover.RegionAdded += id => _changed.Writer.TryWrite(id);
    }

    /// <summary>The GC safepoint last applied by the GC worker.</summary>
    public ulong LastGcSafePoint => Volatile.Read(ref _lastGcSafePoint);

    /// <summary>Completes when pd answers that this store is Tombstone: it was removed and must not serve any more.</summary>
    public Task Tombstoned => _tombstoned.Task;

    public void Start()
    {
        var token = _stop.Token;
        _loops.Add(Task.Run(() => LoopAsync(_options.StoreHeartbeatInterval, StoreHeartbeatAsync, token), token));
        _loops.Add(Task.Run(() => RegionHeartbeatLoopAsync(token), token));
        _loops.Add(Task.Run(() => LoopAsync(_options.SplitCheckInterval, SplitCheckAsync, token), token));
        _loops.Add(Task.Run(() => LoopAsync(_options.GcInterval, GcAsync, token), token));
    }

    /// <summary>Asks for an immediate heartbeat of one region (after it changed).</summary>
    public void Touch(ulong regionId) => _changed.Writer.TryWrite(regionId);

    private void OnSplit(IReadOnlyList<Region> regions)
    {
        foreach (var region in regions)
        {
            _sizes.TryRemove(region.Id, out _);
        }

        // Reported in the background so the split's caller is not held up by pd; heartbeats follow right after.
        _ = Task.Run(async () =>
        {
            try
            {
                await _pd.ReportBatchSplitAsync(regions, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.ReportSplitFailed(_logger, e);
            }

            foreach (var region in regions)
            {
                _changed.Writer.TryWrite(region.Id);
            }
        });
    }

    private async Task LoopAsync(TimeSpan interval, Func<CancellationToken, Task> body, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await body(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (PdException e) when (e.ErrorType == ErrorType.StoreTombstone)
            {
                // Not a failure to retry: pd removed this store for good. Retrying logged a stack every round forever.
                if (_tombstoned.TrySetResult())
                {
                    Log.Tombstoned(_logger, _regions.StoreId);
                }

                return;
            }
            catch (Exception e)
            {
                Log.LoopFailed(_logger, body.Method.Name, e);
            }

            try
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task StoreHeartbeatAsync(CancellationToken cancellationToken)
    {
        ulong capacity = 0;
        ulong available = 0;
        try
        {
            var drive = new DriveInfo(Path.GetFullPath(_options.DataDir));
            capacity = (ulong)drive.TotalSize;
            available = (ulong)drive.AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // Leave capacity unknown rather than skipping the heartbeat that keeps the store Up.
        }

        ulong used = 0;
        foreach (var cf in new[] { _engine.Default, _engine.Write, _engine.Lock })
        {
            used += _engine.Db.GetIntProperty(cf, "rocksdb.total-sst-files-size") ?? 0;
            used += _engine.Db.GetIntProperty(cf, "rocksdb.cur-size-all-mem-tables") ?? 0;
        }

        var stats = new StoreStats
        {
            StoreId = _regions.StoreId,
            Capacity = capacity,
            Available = available,
            UsedSize = used,
            RegionCount = (uint)_regions.Count,
            StartTime = (uint)_startTime.ToUnixTimeSeconds(),
            IsBusy = false,
        };
        await _pd.StoreHeartbeatAsync(stats, cancellationToken).ConfigureAwait(false);
    }

    // A region pd knows with a higher conf_ver and no peer here was moved away, and this store stopped (or crashed)
    // before it dropped its copy: drop it now instead of serving stale data.
    private async Task DropMovedRegionsAsync(CancellationToken cancellationToken)
    {
        foreach (var region in _regions.GetRegions())
        {
            var known = await _pd.GetRegionByIdAsync(region.Id, cancellationToken).ConfigureAwait(false);
            if (known is not null && known.Region.RegionEpoch.ConfVer > region.RegionEpoch.ConfVer
                && known.Region.Peers.All(p => p.StoreId != _regions.StoreId))
            {
                _mover.DropRegion(region, known.Leader);
                Log.DroppedMovedRegion(_logger, region.Id, known.Leader?.StoreId ?? 0);
            }
        }
    }

    private async Task RegionHeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DropMovedRegionsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LoopFailed(_logger, nameof(DropMovedRegionsAsync), e);
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RunHeartbeatStreamAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.HeartbeatStreamEnded(_logger, e.Message);
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RunHeartbeatStreamAsync(CancellationToken cancellationToken)
    {
        // Any call makes the client (re)discover the leader; the stream then goes to that address.
        await _pd.IsBootstrappedAsync(cancellationToken).ConfigureAwait(false);
        var address = _pd.LeaderAddress ?? throw new RpcException(StatusCode.Unavailable, "no pd leader");
        var channel = _pd.GetChannel(address);
        using var streamCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var outgoing = Channel.CreateUnbounded<RegionHeartbeatRequest>();
        var responses = channel.Pd.RegionHeartbeat(cancellationToken: streamCts.Token).DuplexAsync(outgoing.Reader.ReadAllAsync(streamCts.Token), streamCts.Token);
        var reader = Task.Run(async () =>
        {
            await foreach (var response in responses.ConfigureAwait(false))
            {
                HandleResponse(response);
            }
        }, streamCts.Token);
        var sender = Task.Run(async () =>
        {
            var nextFull = DateTime.MinValue;
            while (!streamCts.Token.IsCancellationRequested)
            {
                if (DateTime.UtcNow >= nextFull)
                {
                    foreach (var region in _regions.GetRegions())
                    {
                        await SendAsync(outgoing.Writer, region).ConfigureAwait(false);
                    }

                    nextFull = DateTime.UtcNow + _options.RegionHeartbeatInterval;
                }

                var wait = nextFull - DateTime.UtcNow;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(streamCts.Token);
                timeout.CancelAfter(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
                try
                {
                    var id = await _changed.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
                    if (_regions.GetRegion(id) is { } region)
                    {
                        await SendAsync(outgoing.Writer, region).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (!streamCts.Token.IsCancellationRequested)
                {
                }
            }
        }, streamCts.Token);
        try
        {
            // The stream ends when pd goes away (the reader finishes or fails); the sender runs until then.
            await Task.WhenAny(reader, sender).ConfigureAwait(false);
            await reader.ConfigureAwait(false);
        }
        finally
        {
            outgoing.Writer.TryComplete();
            await streamCts.CancelAsync().ConfigureAwait(false);
            try
            {
                await sender.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private ValueTask SendAsync(ChannelWriter<RegionHeartbeatRequest> writer, Region region)
    {
        var leader = _regions.LocalPeer(region);
        if (leader is null)
        {
            return ValueTask.CompletedTask;
        }

        if (!_sizes.TryGetValue(region.Id, out var size))
        {
            size = RegionSizeScanner.Measure(_engine, region);
            _sizes[region.Id] = size;
        }

        return writer.WriteAsync(new RegionHeartbeatRequest
        {
            Header = new RequestHeader { ClusterId = _pd.ClusterId },
            Region = region,
            Leader = leader,
            ApproximateSize = size.Bytes,
            ApproximateKeys = size.Keys,
            Term = 1,
        });
    }

    private void HandleResponse(RegionHeartbeatResponse response)
    {
        if (response.ChangePeerV2 is not { Changes.Count: 2 } change)
        {
            return;
        }

        var add = change.Changes.FirstOrDefault(c => c.ChangeType == ConfChangeType.AddNode)?.Peer;
        var remove = change.Changes.FirstOrDefault(c => c.ChangeType == ConfChangeType.RemoveNode)?.Peer;
        if (add is null || remove is null || remove.StoreId != _regions.StoreId)
        {
            return;
        }

        _mover.TryStart(response.RegionId, response.RegionEpoch, add, remove);
    }

    private async Task SplitCheckAsync(CancellationToken cancellationToken)
    {
        foreach (var region in _regions.GetRegions())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_regions.IsFrozen(region.Id) || _regions.LocalPeer(region) is not { } local)
            {
                continue;
            }

            var size = RegionSizeScanner.Measure(_engine, region);
            _sizes[region.Id] = size;
            if ((long)size.Bytes <= _options.RegionSplitSize && (long)size.Keys <= _options.RegionSplitKeys)
            {
                continue;
            }

            if (RegionSizeScanner.FindSplitKey(_engine, region, size) is not { } splitKey)
            {
                continue;
            }

            var context = new Context { RegionId = region.Id, RegionEpoch = region.RegionEpoch, Peer = local };
            var outcome = await _regions.SplitAsync(context, [splitKey], null, _ids, cancellationToken).ConfigureAwait(false);
            if (outcome.Regions.Count > 0)
            {
                Log.AutoSplit(_logger, region.Id, size.Bytes, size.Keys, string.Join(", ", outcome.Regions.Select(r => r.Id)));
            }
        }
    }

    private async Task GcAsync(CancellationToken cancellationToken)
    {
        var safePoint = await _pd.GetGcSafePointAsync(cancellationToken).ConfigureAwait(false);
        if (safePoint == 0 || safePoint <= LastGcSafePoint)
        {
            return;
        }

        foreach (var region in _regions.GetRegions())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_regions.IsFrozen(region.Id))
            {
                continue;
            }

            _txn.Gc(new GCRequest { SafePoint = safePoint }, region);
        }

        Volatile.Write(ref _lastGcSafePoint, safePoint);
        Log.GcDone(_logger, safePoint);
    }

    public async ValueTask DisposeAsync()
    {
        _regions.RegionsSplit -= OnSplit;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException or PdException)
        {
        }

        await _mover.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Reporting a split to pd failed")]
        public static partial void ReportSplitFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "pd worker step {Step} failed")]
        public static partial void LoopFailed(ILogger logger, string step, Exception exception);

        [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Region heartbeat stream ended ({Reason}); reconnecting")]
        public static partial void HeartbeatStreamEnded(ILogger logger, string reason);

        [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "Region {RegionId} split at {Bytes} bytes / {Keys} keys into {Regions}")]
        public static partial void AutoSplit(ILogger logger, ulong regionId, ulong bytes, ulong keys, string regions);

        [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Region {RegionId} was moved to store {StoreId} before this store stopped; dropped the local copy")]
        public static partial void DroppedMovedRegion(ILogger logger, ulong regionId, ulong storeId);

        [LoggerMessage(EventId = 2105, Level = LogLevel.Error, Message = "pd reports store {StoreId} as Tombstone: it was removed from the cluster and stops serving")]
        public static partial void Tombstoned(ILogger logger, ulong storeId);

        [LoggerMessage(EventId = 2106, Level = LogLevel.Information, Message = "GC ran up to safepoint {SafePoint}")]
        public static partial void GcDone(ILogger logger, ulong safePoint);
    }
}
