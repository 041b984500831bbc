using System.Diagnostics;
using Cairn.Br.Cluster;
using Cairn.Client;
using Cairn.Rpc;
using Cairn.Rpc.Backup;
using Cairn.Rpc.ImportSstpb;
using Microsoft.Extensions.Logging;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Restore.Data;

/// <summary>
/// The data half of a restore (br-spec §d.9–12, §c raw): plans ranges from the backup files, splits and scatters
/// regions for them, keeps the stores in import mode, and downloads and ingests every file group, a bounded number at
/// a time. The stores are always switched back to normal mode at the end.
/// </summary>
internal sealed class DataRestorer
{
    /// <summary>The progress phase of splitting and scattering (counted in ranges).</summary>
    public const string SplitPhase = "Split & scatter";

    /// <summary>The progress phase of downloading and ingesting (counted in files).</summary>
    public const string ImportPhase = "Download & ingest";

    private const int SplitBatchRanges = 128;
    private readonly ClusterConnection _cluster;
    private readonly StorageBackend _backend;
    private readonly DataRestoreOptions _options;
    private readonly IProgress<BackupProgress>? _progress;
    private readonly ILogger _logger;

    /// <summary>Creates a restorer that reads the backup at <paramref name="backend"/> (the stores fetch the files from there).</summary>
    public DataRestorer(ClusterConnection cluster, StorageBackend backend, DataRestoreOptions options, IProgress<BackupProgress>? progress, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        _cluster = cluster;
        _backend = backend;
        _options = options;
        _progress = progress;
        _logger = logger;
    }

    /// <summary>Runs after a region's downloads and before its ingest (tests change the region there).</summary>
    internal Func<Client.Regions.CachedRegion, CancellationToken, Task>? BeforeIngest { get; init; }

    /// <summary>A resumed restore's progress: groups it holds as ingested are skipped, groups ingested now are recorded.</summary>
    internal Checkpoint.RestoreCheckpoint? Checkpoint { get; init; }

    /// <summary>Restores the files of <paramref name="tables"/> under their new ids; <paramref name="newTimestamp"/> 0 keeps the backup's timestamps.</summary>
    /// <exception cref="BrException">A file lacks rewrite rules, is missing or unreadable, or a region could not take its data.</exception>
    public Task<DataRestoreResult> RestoreTablesAsync(IReadOnlyList<RestoreTableData> tables, ulong newTimestamp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);

        // Every file is checked before anything is sent to the cluster.
        var groups = new List<FileGroup>();
        var ranges = new List<RestoreRange>();
        foreach (var table in tables)
        {
            var tableGroups = RangePlanner.GroupTable(table);
            groups.AddRange(tableGroups);
            ranges.AddRange(RangePlanner.Merge(tableGroups, _options.MergeMaxBytes, _options.MergeMaxKvs));
        }

        var importer = new GroupImporter(_cluster, _backend, newTimestamp, KeyMode.Txn, _options, new StoreDirectory(_cluster), _logger) { BeforeIngest = BeforeIngest };
        return RunAsync(tables, groups, ranges, KeyMode.Txn, importer, cancellationToken);
    }

    /// <summary>Restores the files of column family <paramref name="cf"/> overlapping the raw range <c>[start, end)</c> (empty end = unbounded), keys unchanged.</summary>
    /// <exception cref="BrException">A file is missing or unreadable, or a region could not take its data.</exception>
    public Task<DataRestoreResult> RestoreRawAsync(IReadOnlyList<BackupFile> files, byte[] start, byte[] end, string cf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        ArgumentNullException.ThrowIfNull(cf);
        var groups = RangePlanner.GroupRaw(files, start, end, cf);
        var ranges = RangePlanner.Merge(groups, _options.MergeMaxBytes, _options.MergeMaxKvs)
            .Select(r => r with { Start = r.Start.AsSpan().SequenceCompareTo(start) < 0 ? start : r.Start, End = ClipEnd(r.End, end) }).ToList();
        var importer = new GroupImporter(_cluster, _backend, 0, KeyMode.Raw, _options, new StoreDirectory(_cluster), _logger, start, end) { BeforeIngest = BeforeIngest };
        return RunAsync([], groups, ranges, KeyMode.Raw, importer, cancellationToken);
    }

    private static byte[] ClipEnd(byte[] rangeEnd, byte[] end) =>
        end.Length == 0 ? rangeEnd : rangeEnd.Length == 0 || rangeEnd.AsSpan().SequenceCompareTo(end) > 0 ? end : rangeEnd;

    private async Task<DataRestoreResult> RunAsync(IReadOnlyList<RestoreTableData> tables, IReadOnlyList<FileGroup> groups, IReadOnlyList<RestoreRange> ranges, KeyMode mode,
        GroupImporter importer, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var totalFiles = groups.Sum(g => (long)g.Files.Count);
        DataRestoreLog.Started(_logger, totalFiles, groups.Count, ranges.Count, tables.Count, _options.Concurrency);
        var completion = new TableCompletion(tables, groups, _logger);
        var keeper = await ImportModeKeeper.StartAsync(_cluster, _options.SwitchModeInterval, _options.CallTimeout, _logger, cancellationToken).ConfigureAwait(false);
        try
        {
            if (_options.RateLimitBytesPerSecond > 0)
            {
                await SetSpeedLimitAsync(cancellationToken).ConfigureAwait(false);
            }

            if (mode == KeyMode.Txn)
            {
                // Raw keys are not split at: a raw boundary is no memcomparable key, and the regions it would bound
                // also hold transactional keys whose readers decode region boundaries. Raw data lands in the regions
                // there are, which split by size as it grows.
                await SplitAsync(ranges, cancellationToken).ConfigureAwait(false);
            }

            long filesDone = 0;
            _progress?.Report(new BackupProgress(ImportPhase, 0, totalFiles, "file"));
            await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = cancellationToken }, async (group, token) =>
            {
                if (!group.IsEmpty && Checkpoint?.IsIngested(group) != true)
                {
                    await importer.ImportAsync(group, token).ConfigureAwait(false);
                    Checkpoint?.Ingested(group);
                }

                completion.GroupDone(group);
                _progress?.Report(new BackupProgress(ImportPhase, Interlocked.Add(ref filesDone, group.Files.Count), totalFiles, "file"));
            }).ConfigureAwait(false);
        }
        finally
        {
            await keeper.DisposeAsync().ConfigureAwait(false);
        }

        var kvs = groups.Aggregate(0UL, (sum, g) => sum + g.Kvs);
        var bytes = groups.Aggregate(0UL, (sum, g) => sum + g.Bytes);
        DataRestoreLog.Finished(_logger, ranges.Count, totalFiles, kvs, bytes, (long)clock.Elapsed.TotalMilliseconds);
        return new DataRestoreResult(ranges.Count, totalFiles, kvs, bytes, completion.Completed);
    }

    private async Task SplitAsync(IReadOnlyList<RestoreRange> ranges, CancellationToken cancellationToken)
    {
        var splitter = new RestoreSplitter(_cluster.Txn.Cache, KeyMode.Txn, _options.ScatterWait, _logger);
        _progress?.Report(new BackupProgress(SplitPhase, 0, ranges.Count, "range"));
        var done = 0;
        var batch = new List<RestoreRange>();
        for (var i = 0; i < ranges.Count; i++)
        {
            batch.Add(ranges[i]);
            // A batch ends at a table boundary, so a table's empty-piece check sees all of the table's ranges.
            var tableEnds = i + 1 == ranges.Count || !ReferenceEquals(ranges[i + 1].Table, ranges[i].Table);
            if (tableEnds && (batch.Count >= SplitBatchRanges || i + 1 == ranges.Count))
            {
                await splitter.SplitAndScatterAsync(batch, cancellationToken).ConfigureAwait(false);
                done += batch.Count;
                batch.Clear();
                _progress?.Report(new BackupProgress(SplitPhase, done, ranges.Count, "range"));
            }
        }
    }

    private async Task SetSpeedLimitAsync(CancellationToken cancellationToken)
    {
        var stores = await ImportModeKeeper.TargetsAsync(_cluster, cancellationToken).ConfigureAwait(false);
        foreach (var store in stores)
        {
            try
            {
                await _cluster.StoreChannel(store).ImportSst.SetDownloadSpeedLimitAsync(new SetDownloadSpeedLimitRequest { SpeedLimit = _options.RateLimitBytesPerSecond },
                    RpcChannel.CallOptions(new RpcCallOptions { Timeout = _options.CallTimeout }, cancellationToken)).ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new BrException("ErrRestoreSetSpeedLimitFailed", $"store {store.Id} ({store.Address}) did not take the download speed limit: {e.Detail}; check that it is up and retry", e);
            }
        }

        DataRestoreLog.SpeedLimitSet(_logger, _options.RateLimitBytesPerSecond, stores.Count);
    }
}
