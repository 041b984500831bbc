using System.Diagnostics;
using System.Threading.Channels;
using Cairn.Common.Codec;
using Cairn.RocksDb;
using Cairn.Rpc.Backup;
using Cairn.Rpc.Metapb;
using Cairn.Storage;
using Cairn.Store.Crypto;
using Cairn.Storage.Local;
using Cairn.Store.Engine;
using Cairn.Store.Regions;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using BackupError = Cairn.Rpc.Backup.Error;

namespace Cairn.Store.Backup;

/// <summary>
/// The store's backup work (TiKV's backup endpoint): for a request, every region this store leads that meets the
/// request's range becomes a piece; pieces of all requests share one pool of <see cref="StoreNodeOptions.BackupThreads"/>
/// workers and one upload limiter, and each is answered as soon as it is done. Files of a piece that is never
/// answered (the call was cancelled or failed) are removed from the storage, and temp files never outlive a piece.
/// </summary>
internal sealed class BackupEndpoint : IDisposable
{
    private readonly RegionManager _regions;
    private readonly RegionBackup _regionBackup;
    private readonly SemaphoreSlim _pool;
    private readonly BackupRateLimiter _limiter = new();
    private readonly long _sstMaxSize;
    private readonly ILogger _logger;

    public BackupEndpoint(StoreEngine engine, RegionManager regions, int threads, long sstMaxSize, string tempDir, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sstMaxSize);
        _regions = regions;
        _regionBackup = new RegionBackup(engine, regions);
        _pool = new SemaphoreSlim(threads, threads);
        _sstMaxSize = sstMaxSize;
        _logger = logger;
        TempDir = tempDir;
        // Temp files of a store that stopped mid-backup are of no use to anyone.
        if (Directory.Exists(tempDir))
        {
            Directory.Delete(tempDir, recursive: true);
        }

        Directory.CreateDirectory(tempDir);
    }

    /// <summary>Where SSTs are written before they are uploaded.</summary>
    public string TempDir { get; }

    /// <summary>
    /// Backs up the request's range into <paramref name="storage"/>, handing each piece's response to
    /// <paramref name="send"/> (called by one caller at a time). Returns when every piece is answered; throws when
    /// cancelled or when <paramref name="send"/> fails, after removing the files of unanswered pieces.
    /// </summary>
    public async Task RunAsync(BackupRequest request, IExternalStorage storage, Func<BackupResponse, Task> send, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var pieces = Pieces(request);
        BackupLog.Started(_logger, request.IsRawKv ? "raw" : request.StartVersion == 0 ? "full" : "incremental",
            Convert.ToHexString(request.StartKey.Span), Convert.ToHexString(request.EndKey.Span), request.EndVersion, storage.Uri, pieces.Count);
        var context = new BackupFileContext
        {
            StoreId = _regions.StoreId,
            Region = new Region(),
            Storage = storage,
            Limiter = _limiter.ForRequest(request.RateLimit),
            TempDir = TempDir,
            // An encrypted file cannot be renamed into place: its plaintext temp file must not reach the destination.
            LocalTarget = request.StorageBackend?.Local is { } local && SstCipher.From(request.CipherInfo) is null ? new LocalStorage(local.Path) : null,
            Cipher = SstCipher.From(request.CipherInfo),
            SstOptions = SstOptions(request),
            StartVersion = request.StartVersion,
            EndVersion = request.EndVersion,
            UnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            RawCf = request.IsRawKv ? (request.Cf.Length == 0 ? CfNames.Default : request.Cf) : null,
            SstMaxSize = _sstMaxSize,
            ScanStats = request.IsRawKv || request.StartVersion == 0 ? null : new DeltaScanStats(),
        };

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var done = Channel.CreateUnbounded<(BackupResponse Response, int Index)>();
        var uploads = new List<string>[pieces.Count];
        var answered = new bool[pieces.Count];
        var tasks = new Task[pieces.Count];
        for (var i = 0; i < pieces.Count; i++)
        {
            uploads[i] = [];
            var (region, start, end) = pieces[i];
            var index = i;
            tasks[i] = Task.Run(async () =>
            {
                // Only the request's cancellation ends a piece without an answer; then the read below is cancelled too.
                var response = await RunPieceAsync(region, start, end, request, context, uploads[index], stop.Token).ConfigureAwait(false);
                done.Writer.TryWrite((response, index));
            }, CancellationToken.None);
        }

        var stats = new Stats();
        try
        {
            for (var n = 0; n < pieces.Count; n++)
            {
                var (response, index) = await done.Reader.ReadAsync(stop.Token).ConfigureAwait(false);
                await send(response).ConfigureAwait(false);
                answered[index] = true;
                stats.Add(response);
            }

            BackupLog.Finished(_logger, storage.Uri, clock.ElapsedMilliseconds, pieces.Count, stats.Failed, stats.Files, stats.Kvs, stats.Bytes, stats.Stored);
            if (context.ScanStats is { } scanned)
            {
                BackupLog.DeltaScanned(_logger, request.StartVersion, scanned.Pieces, scanned.FilesRead, scanned.BytesRead, scanned.FilesSkipped,
                    scanned.BytesSkipped, scanned.FilesWithoutProperties);
            }
        }
        catch (Exception e)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(tasks.Select(t => t.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default))).ConfigureAwait(false);
            for (var i = 0; i < pieces.Count; i++)
            {
                if (!answered[i])
                {
                    await RemoveAsync(storage, uploads[i]).ConfigureAwait(false);
                }
            }

            if (e is OperationCanceledException)
            {
                BackupLog.Cancelled(_logger, storage.Uri, clock.ElapsedMilliseconds);
            }

            throw;
        }
    }

    public void Dispose() => _pool.Dispose();

    private async Task<BackupResponse> RunPieceAsync(Region region, byte[] start, byte[] end, BackupRequest request, BackupFileContext context,
        List<string> uploaded, CancellationToken cancellationToken)
    {
        await _pool.WaitAsync(cancellationToken).ConfigureAwait(false);
        BackupResponse response;
        try
        {
            response = await _regionBackup.RunAsync(region, start, end, request, context, uploaded, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            BackupLog.PieceFailed(_logger, region.Id, e.Message, e);
            response = new BackupResponse
            {
                StartKey = ByteString.CopyFrom(start),
                EndKey = ByteString.CopyFrom(end),
                Error = new BackupError { Msg = $"backup of region {region.Id} on store {_regions.StoreId} failed: {e.Message}" },
            };
        }
        finally
        {
            _pool.Release();
        }

        if (response.Error is not null)
        {
            // An error answer carries no files: what was uploaded before the error goes.
            await RemoveAsync(context.Storage, uploaded).ConfigureAwait(false);
            uploaded.Clear();
        }

        BackupLog.PieceDone(_logger, region.Id, Convert.ToHexString(start), Convert.ToHexString(end),
            response.Error is null ? $"{response.Files.Count} files" : response.Error.DetailCase == BackupError.DetailOneofCase.None ? response.Error.Msg : response.Error.DetailCase.ToString());
        return response;
    }

    // The regions this store leads that meet the request's range, each with its raw sub-range (region ∩ request).
    private List<(Region Region, byte[] Start, byte[] End)> Pieces(BackupRequest request)
    {
        var requestStart = request.StartKey.Span;
        var requestEnd = request.EndKey.Span;
        var result = new List<(Region, byte[], byte[])>();
        if (!requestEnd.IsEmpty && requestStart.SequenceCompareTo(requestEnd) >= 0)
        {
            return result;
        }

        foreach (var region in _regions.GetRegions())
        {
            if (_regions.LocalPeer(region) is null)
            {
                continue;
            }

            // Raw regions are bounded by raw keys; transactional ones by memcomparable-encoded keys.
            var regionStart = request.IsRawKv || region.StartKey.IsEmpty ? region.StartKey.ToByteArray() : MemComparable.DecodeBytes(region.StartKey.Span);
            var regionEnd = request.IsRawKv || region.EndKey.IsEmpty ? region.EndKey.ToByteArray() : MemComparable.DecodeBytes(region.EndKey.Span);
            var start = requestStart.SequenceCompareTo(regionStart) > 0 ? requestStart.ToArray() : regionStart;
            var end = requestEnd.IsEmpty || (regionEnd.Length != 0 && requestEnd.SequenceCompareTo(regionEnd) > 0) ? regionEnd : requestEnd.ToArray();
            if (end.Length == 0 || start.AsSpan().SequenceCompareTo(end) < 0)
            {
                result.Add((region, start, end));
            }
        }

        return result;
    }

    private static SstFileWriterOptions SstOptions(BackupRequest request) => new()
    {
        Compression = request.CompressionType switch
        {
            CompressionType.Snappy => Compression.Snappy,
            CompressionType.Zstd => Compression.Zstd,
            _ => Compression.Lz4,
        },
        CompressionLevel = request.CompressionLevel == 0 ? null : request.CompressionLevel,
        // Backup files are read whole by restore, never probed key by key: a bloom filter would only cost CPU.
        BloomFilterBitsPerKey = 0,
    };

    private async Task RemoveAsync(IExternalStorage storage, List<string> paths)
    {
        string[] copy;
        lock (paths)
        {
            copy = [.. paths];
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        foreach (var path in copy)
        {
            try
            {
                await storage.DeleteAsync(path, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is StorageException or OperationCanceledException)
            {
                BackupLog.CleanupFailed(_logger, path, storage.Uri, e.Message);
            }
        }
    }

    private sealed class Stats
    {
        public int Failed { get; private set; }

        public int Files { get; private set; }

        public ulong Kvs { get; private set; }

        public ulong Bytes { get; private set; }

        public ulong Stored { get; private set; }

        public void Add(BackupResponse response)
        {
            if (response.Error is not null)
            {
                Failed++;
                return;
            }

            foreach (var file in response.Files)
            {
                Files++;
                Kvs += file.TotalKvs;
                Bytes += file.TotalBytes;
                Stored += file.Size;
            }
        }
    }
}
