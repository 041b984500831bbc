using System.Text;
using Cairn.Br.Checksum;
using Cairn.Br.Cluster;
using Cairn.Br.LocalServer;
using Cairn.Br.Metadata;
using Cairn.Br.Summary;
using Cairn.Client;
using Cairn.Client.Catalog;
using Cairn.Client.Regions;
using Cairn.Common;
using Cairn.Common.Hashing;
using Cairn.Common.Keys;
using Cairn.Pd.Client;
using Cairn.Rpc.Backup;
using Cairn.Storage;
using Cairn.Storage.Backends;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Backup;

/// <summary>
/// One backup job from start to end (br-spec §b): every check that can refuse the job runs before anything is
/// written to the storage; then the lock, the checkpoint, the ranges, the checksums and, once and last, backupmeta.
/// </summary>
internal sealed class BackupRun
{
    private static readonly TimeSpan DefaultGcTtl = TimeSpan.FromSeconds(300);
    private static readonly TimeSpan CheckpointGcTtl = TimeSpan.FromMinutes(72);
    private const int ChecksumConcurrency = 8;

    private BackupOptions _options;
    private readonly IProgress<BackupProgress>? _progress;
    private readonly ILogger _logger;
    private readonly BackupStats _stats = new();
    private readonly bool _raw;
    private Crypto.MetaCipher? _cipher;
    private StorageBackend? _storesBackend;
    private BackupResume? _resume;
    private BackupCheckpointLock? _jobLock;

    public BackupRun(BackupOptions options, IProgress<BackupProgress>? progress, ILogger logger)
    {
        _options = options;
        _progress = progress;
        _logger = logger;
        _raw = options.Kind == BackupKind.Raw;
    }

    private string KindName => _options.Kind switch
    {
        BackupKind.Raw => "Raw",
        BackupKind.Database => "Database",
        BackupKind.Table => "Table",
        _ => "Full",
    };

    public async Task<BackupSummary> RunAsync(CancellationToken cancellationToken)
    {
        IExternalStorage? storage = null;
        try
        {
            var url = ParseStorage();
            _stats.Storage = url.Uri;
            if (_options.IncrementalFrom is { } previous)
            {
                _options = _options with { LastBackupTs = await PreviousBackup.EndVersionAsync(previous, _options, cancellationToken).ConfigureAwait(false) };
            }

            _stats.LastBackupTs = _options.LastBackupTs;
            _cipher = await Crypto.MetaCipher.ForBackupAsync(_options.Crypter, cancellationToken).ConfigureAwait(false);
            storage = await ExternalStorage.OpenAsync(url, _options.StorageOptions, cancellationToken).ConfigureAwait(false);
            _resume = _options.UseCheckpoint ? await BackupResume.TryOpenAsync(storage, cancellationToken).ConfigureAwait(false) : null;
            if (_resume is null)
            {
                await RefuseUsedStorageAsync(storage, cancellationToken).ConfigureAwait(false);
            }

            var cluster = await ClusterConnection.ConnectAsync(_options.PdAddresses, _options.PdConnectTimeout, _options.Tls, cancellationToken).ConfigureAwait(false);
            await using var disposeCluster = cluster.ConfigureAwait(false);
            var storesStorage = await StoreStorage.StartAsync(url, _options.LocalServer, _options.SendCredentialsToStores, _options.Tls, cluster, _logger, cancellationToken).ConfigureAwait(false);
            await using var disposeStoresStorage = storesStorage.ConfigureAwait(false);
            _storesBackend = storesStorage.Backend;
            var clusterVersion = await cluster.GetClusterVersionJsonAsync(cancellationToken).ConfigureAwait(false);
            if (_options.CheckRequirements)
            {
                StoreVersionCheck.Check(await cluster.Pd.GetAllStoresAsync(excludeTombstones: true, cancellationToken).ConfigureAwait(false));
            }

            if (_resume is not null)
            {
                _resume.Validate(url.Uri, cluster.ClusterId, _options.LastBackupTs, Fingerprint(), _options.BackupTs);
                _cipher = await Crypto.CheckpointKey.ResumeAsync(storage, _cipher, _options.Crypter, cancellationToken).ConfigureAwait(false);
                await _resume.CheckSnapshotAsync(cluster.Pd, url.Uri, _options.LastBackupTs, cancellationToken).ConfigureAwait(false);
                // Before the safepoint is touched: a live run of this backup keeps its own, and this run is refused.
                _jobLock = await BackupCheckpointLock.AcquireAsync(storage, await cluster.Pd.GetTimestampAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }

            var backupTs = _resume?.BackupTs ?? (_raw ? 0 : await ResolveBackupTsAsync(cluster.Pd, cancellationToken).ConfigureAwait(false));
            _stats.BackupTs = backupTs;
            BackupLog.Started(_logger, KindName, url.Uri, backupTs, _options.LastBackupTs, _options.Concurrency);
            SafePointKeeper? keeper = null;
            if (!_raw)
            {
                var protect = (_options.LastBackupTs > 0 ? _options.LastBackupTs : backupTs) - 1;
                var ttl = _options.UseCheckpoint && _options.GcTtl == DefaultGcTtl ? CheckpointGcTtl : _options.GcTtl;
                keeper = await SafePointKeeper.StartAsync(cluster, protect, ttl, _logger, cancellationToken, _resume?.SafePointId).ConfigureAwait(false);
            }

            try
            {
                using var work = keeper is null
                    ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
                    : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, keeper.Lost);
                try
                {
                    return await BackUpAsync(cluster, storage, url, clusterVersion, backupTs, keeper?.ServiceId ?? "", work.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (keeper?.Failure is { } lost && !cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
                {
                    // Whatever the stopped work threw, the lost safepoint is why it stopped.
                    throw lost;
                }
            }
            finally
            {
                if (keeper is not null)
                {
                    await keeper.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            LogStopped("cancelled");
            BackupLog.Cancelled(_logger, _stats.Storage);
            if (e is OperationCanceledException)
            {
                throw;
            }

            // A call cut short by the cancellation may report it as its own failure (a cancelled RPC).
            throw new OperationCanceledException("the backup was cancelled", e, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not OutOfMemoryException)
        {
            var error = AsBrException(e);
            var failed = new BrException(error.Code, error.Message, e, error.IsTransient) { Summary = _stats.ToSummary(false, error.Message) };
            LogStopped(error.Message);
            throw failed;
        }
        finally
        {
            if (storage is not null)
            {
                await storage.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<BackupSummary> BackUpAsync(ClusterConnection cluster, IExternalStorage storage, StorageUrl url, string clusterVersion, ulong backupTs, string safePointId, CancellationToken cancellationToken)
    {
        var tables = _raw ? [] : await SchemaCollector.CollectAsync(cluster.Catalog, _options, backupTs, cancellationToken).ConfigureAwait(false);
        var keyMode = _raw ? KeyMode.Raw : KeyMode.Txn;
        var plan = Plan(tables);
        var regions = 0L;
        foreach (var (_, range) in plan)
        {
            regions += await cluster.CountRegionsAsync(RegionCache.ToRegionKey(range.Start, keyMode), range.End.Length == 0 ? [] : RegionCache.ToRegionKey(range.End, keyMode), cancellationToken)
                .ConfigureAwait(false);
        }

        _stats.Tables = tables.Count(t => t.Table is not null);
        _stats.Ranges = plan.Count;
        _stats.Regions = regions;
        BackupLog.Planned(_logger, _stats.Tables, plan.Count, regions);

        // Every refusal is behind us: from here on the storage is marked as taken.
        BackupCheckpoint checkpoint;
        if (_resume is null)
        {
            await storage.WriteAllAsync(BackupFiles.Lock, BackupFiles.LockContent, cancellationToken).ConfigureAwait(false);
            var lockId = await cluster.Pd.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
            _jobLock = await BackupCheckpointLock.AcquireAsync(storage, lockId, cancellationToken).ConfigureAwait(false);
            // Before the header: a checkpoint that can be resumed always says which keys its files are under.
            await Crypto.CheckpointKey.RecordAsync(storage, _cipher, cancellationToken).ConfigureAwait(false);
            checkpoint = await BackupCheckpoint.CreateAsync(storage,
                new BackupCheckpointHeader(cluster.ClusterId, backupTs, _options.LastBackupTs, Fingerprint(), safePointId), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            checkpoint = _resume.Checkpoint;
            ResumeLog.Resuming(_logger, storage.Uri, backupTs, safePointId, checkpoint.CompletedRanges.Count, checkpoint.DamagedSegments.Count);
        }

        using var stopFlushing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var flusher = FlushPeriodicallyAsync(checkpoint, storage.Uri, stopFlushing.Token);
        var finished = false;
        try
        {
            var writer = new BackupMetaWriter(storage, _options.UseBackupMetaV2) { Cipher = _cipher };
            var files = await BackUpRangesAsync(cluster, checkpoint, writer, BuildTemplate(cluster.ClusterId, url, backupTs), keyMode, plan, regions, cancellationToken).ConfigureAwait(false);
            var schemas = await ChecksumAsync(cluster, tables, plan, files, backupTs, cancellationToken).ConfigureAwait(false);
            foreach (var schema in schemas)
            {
                await writer.AddSchemaAsync(schema, cancellationToken).ConfigureAwait(false);
            }

            await writer.AddDdlsAsync(await DdlsAsync(cluster.Catalog, backupTs, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            await stopFlushing.CancelAsync().ConfigureAwait(false);
            await flusher.ConfigureAwait(false);
            await checkpoint.FlushAsync(cancellationToken).ConfigureAwait(false);
            _stats.MetaSize = await writer.FinishAsync(Header(cluster.ClusterId, clusterVersion, backupTs), cancellationToken).ConfigureAwait(false);
            finished = true;
        }
        finally
        {
            await stopFlushing.CancelAsync().ConfigureAwait(false);
            await flusher.ConfigureAwait(false);
            // The checkpoint keeps what was done, also when the job fails or is cancelled.
            await TryFlushAsync(checkpoint, storage.Uri, CancellationToken.None).ConfigureAwait(false);
            if (!finished)
            {
                await TryReleaseLockAsync(storage.Uri).ConfigureAwait(false);
            }
        }

        await BackupResume.RemoveCheckpointAsync(storage, _logger, cancellationToken).ConfigureAwait(false);
        _stats.ReusedPieces = _resume?.ReusedPieces ?? 0;
        _stats.Resumed = _resume is not null;

        var summary = _stats.ToSummary(true, null);
        BackupLog.SuccessSummary(_logger, KindName, summary.Ranges, summary.RangesSucceeded, summary.Ranges - summary.RangesSucceeded, summary.ChecksumDuration, summary.Regions,
            summary.Duration, summary.BackupTs, summary.TotalKvs, ByteSize.Format((ulong)summary.TotalBytes), Speed(summary), ByteSize.Format((ulong)summary.BackupSize), summary.Files);
        return summary;
    }

    private List<(BackupTable? Table, KeyRange Range)> Plan(IReadOnlyList<BackupTable> tables)
    {
        if (_raw)
        {
            return [(null, new KeyRange(_options.Raw!.Start, _options.Raw.End))];
        }

        return [.. tables.SelectMany(t => t.Ranges.Select(r => ((BackupTable?)t, r)))];
    }

    private async Task<IReadOnlyList<BackupFile>[]> BackUpRangesAsync(ClusterConnection cluster, BackupCheckpoint checkpoint, BackupMetaWriter writer, BackupRequest template, KeyMode keyMode,
        List<(BackupTable? Table, KeyRange Range)> plan, long regions, CancellationToken cancellationToken)
    {
        var progress = new PhaseProgress(_progress, "Backup", regions, "region");
        var context = new BackupContext(cluster, template, keyMode, _logger, (start, end, files) =>
        {
            checkpoint.RecordRange(start, end, files);
            progress.Increment();
        })
        {
            FineGrainedBudget = _options.RetryBudget,
        };
        var done = plan.Select(p => _resume?.TreeFor(p.Range)).ToArray();
        if (_resume is not null)
        {
            var (reused, complete, gaps) = _resume.Counts();
            ResumeLog.Planned(_logger, reused, complete, plan.Count, gaps);
        }

        var results = new IReadOnlyList<BackupFile>[plan.Count];
        using var writerGate = new SemaphoreSlim(1, 1);
        await Parallel.ForEachAsync(Enumerable.Range(0, plan.Count), new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = cancellationToken },
            async (index, ct) =>
            {
                var range = plan[index].Range;
                var tree = done[index] is { } resumed
                    ? await new RangeBackuper(context).ResumeAsync(range, resumed, ct).ConfigureAwait(false)
                    : await new RangeBackuper(context).BackupAsync(range, ct).ConfigureAwait(false);
                var pieces = tree.Pieces();
                BackupFile[] files = [.. pieces.SelectMany(p => p.Value)];
                if (files.Length > 0)
                {
                    await writerGate.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        await writer.AddFilesAsync(files, ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        writerGate.Release();
                    }
                }

                results[index] = files;
                _stats.AddRange(files);
                BackupLog.RangeDone(_logger, Keys.Describe(range.Start, range.End), pieces.Count, files.Length, FileChecksums.Of(files).TotalKvs);
            }).ConfigureAwait(false);
        progress.Complete();
        return results;
    }

    private async Task<IReadOnlyList<Schema>> ChecksumAsync(ClusterConnection cluster, IReadOnlyList<BackupTable> tables, List<(BackupTable? Table, KeyRange Range)> plan,
        IReadOnlyList<BackupFile>[] files, ulong backupTs, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var fileSums = new Dictionary<BackupTable, KvChecksum>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < plan.Count; i++)
        {
            if (plan[i].Table is { } table)
            {
                fileSums[table] = fileSums.GetValueOrDefault(table) + FileChecksums.Of(files[i]);
            }
        }

        var sums = new KvChecksum[tables.Count];
        var incremental = _options.LastBackupTs > 0;
        var toCheck = Enumerable.Range(0, tables.Count).Where(i => tables[i].HasData).ToList();
        var progress = new PhaseProgress(_progress, "Checksum", _options.Checksum ? toCheck.Count : 0, "table");
        await Parallel.ForEachAsync(toCheck, new ParallelOptions { MaxDegreeOfParallelism = ChecksumConcurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var table = tables[i];
            var fromFiles = fileSums.GetValueOrDefault(table);
            if (_options.Checksum)
            {
                var fromCluster = await cluster.Checksums.ChecksumTableAsync(table.Table!, backupTs, null, ct).ConfigureAwait(false);
                BackupLog.TableChecksum(_logger, table.Name, fromCluster.Crc64Xor, fromCluster.TotalKvs, fromCluster.TotalBytes);
                FileChecksums.Verify(table.Name, fromCluster, fromFiles);
                sums[i] = fromCluster;
                progress.Increment();
            }
            else if (!incremental)
            {
                // Without the coprocessor pass the files' own numbers are the table's: a restore still verifies against them.
                sums[i] = fromFiles;
            }
        }).ConfigureAwait(false);
        progress.Complete();
        _stats.ChecksumDuration = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var schemas = new List<Schema>(tables.Count);
        for (var i = 0; i < tables.Count; i++)
        {
            var table = tables[i];
            schemas.Add(new Schema
            {
                Db = ByteString.CopyFrom(table.DatabaseJson),
                Table = ByteString.CopyFrom(table.TableJson),
                Crc64Xor = sums[i].Crc64Xor,
                TotalKvs = sums[i].TotalKvs,
                TotalBytes = sums[i].TotalBytes,
            });
        }

        return schemas;
    }

    private async Task<ReadOnlyMemory<byte>> DdlsAsync(CatalogClient catalog, ulong backupTs, CancellationToken cancellationToken)
    {
        if (_raw || _options.LastBackupTs == 0)
        {
            return "[]"u8.ToArray();
        }

        // Incremental: the DDL jobs finished after the last backup's schema version, for a restore to replay (§c).
        var since = await catalog.GetSchemaVersionAsync(_options.LastBackupTs, cancellationToken).ConfigureAwait(false);
        var jobs = await catalog.ListDdlJobsAsync(backupTs, cancellationToken).ConfigureAwait(false);
        var json = new StringBuilder("[");
        foreach (var job in jobs.Where(j => j.Binlog.SchemaVersion > since))
        {
            if (json.Length > 1)
            {
                json.Append(',');
            }

            json.Append(Encoding.UTF8.GetString(CatalogJson.Serialize(job)));
        }

        return Encoding.UTF8.GetBytes(json.Append(']').ToString());
    }

    private BackupRequest BuildTemplate(ulong clusterId, StorageUrl url, ulong backupTs)
    {
        var request = new BackupRequest
        {
            ClusterId = clusterId,
            StartVersion = _raw ? 0 : _options.LastBackupTs,
            EndVersion = backupTs,
            RateLimit = (ulong)_options.RateLimitBytesPerSecond,
            // BR always sends 4 for txn backups; stores use their own backup pool whatever it says.
            Concurrency = _raw ? (uint)_options.Concurrency : 4,
            StorageBackend = _storesBackend ?? StorageBackends.ToBackend(url, _options.SendCredentialsToStores),
            IsRawKv = _raw,
            CompressionType = _options.Compression,
            CompressionLevel = _options.CompressionLevel,
            CipherInfo = _cipher?.Info,
        };
        if (_raw)
        {
            request.Cf = _options.Raw!.ColumnFamily;
        }

        return request;
    }

    private BackupMeta Header(ulong clusterId, string clusterVersion, ulong backupTs)
    {
        var meta = new BackupMeta
        {
            ClusterId = clusterId,
            ClusterVersion = clusterVersion,
            BrVersion = BrVersion.BuildInfo,
            StartVersion = _raw ? 0 : _options.LastBackupTs,
            EndVersion = backupTs,
            IsRawKv = _raw,
        };
        if (_raw)
        {
            meta.RawRanges.Add(new RawRange { StartKey = ByteString.CopyFrom(_options.Raw!.Start), EndKey = ByteString.CopyFrom(_options.Raw.End), Cf = _options.Raw.ColumnFamily });
        }

        return meta;
    }

    private async Task<ulong> ResolveBackupTsAsync(PdClient pd, CancellationToken cancellationToken)
    {
        var now = await pd.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
        ulong backupTs;
        if (_options.BackupTs > 0)
        {
            backupTs = _options.BackupTs;
            if (backupTs > now)
            {
                throw new BrException("ErrInvalidArgument",
                    $"--backupts {backupTs} ({Tso.Format(backupTs)}) is in the future: pd's current ts is {now} ({Tso.Format(now)}); give a past snapshot");
            }
        }
        else
        {
            var physical = Tso.Physical(now) - (long)_options.TimeAgo.TotalMilliseconds;
            if (physical <= 0)
            {
                throw new BrException("ErrInvalidArgument", $"--timeago {_options.TimeAgo} reaches before 1970: give a shorter duration");
            }

            backupTs = Tso.Compose(physical, Tso.Logical(now));
        }

        var gcSafePoint = await pd.GetGcSafePointAsync(cancellationToken).ConfigureAwait(false);
        if (backupTs <= gcSafePoint)
        {
            throw new BrException("ErrBackupGCSafepointExceeded",
                $"backup ts {backupTs} ({Tso.Format(backupTs)}) is at or below the GC safepoint {gcSafePoint} ({Tso.Format(gcSafePoint)}): its versions may be gone; back up a later snapshot");
        }

        if (_options.LastBackupTs > 0)
        {
            if (backupTs <= _options.LastBackupTs)
            {
                throw new BrException("ErrInvalidArgument", $"backup ts {backupTs} is not after --lastbackupts {_options.LastBackupTs}: an incremental backup covers (lastbackupts, backupts]");
            }

            if (_options.LastBackupTs <= gcSafePoint)
            {
                throw new BrException("ErrBackupGCSafepointExceeded",
                    $"--lastbackupts {_options.LastBackupTs} is at or below the GC safepoint {gcSafePoint}: the changes since it may be gone; take a full backup instead");
            }
        }

        return backupTs;
    }

    private StorageUrl ParseStorage() => JobErrors.ParseStorage(_options.Storage, _options.StorageOptions);

    private static async Task RefuseUsedStorageAsync(IExternalStorage storage, CancellationToken cancellationToken)
    {
        foreach (var name in new[] { BackupFiles.Meta, BackupFiles.Lock })
        {
            if (await storage.ExistsAsync(name, cancellationToken).ConfigureAwait(false))
            {
                throw new BrException("ErrBackupStorageInUse",
                    $"{storage.Uri} already holds {name}: another backup uses this place; choose an empty storage path");
            }
        }
    }

    private string Fingerprint()
    {
        var text = new StringBuilder(KindName);
        text.Append("|filter=").Append(_options.Filter?.ToString() ?? "");
        text.Append("|dbs=").AppendJoin(',', _options.Databases ?? []);
        text.Append("|tables=").AppendJoin(',', (_options.Tables ?? []).Select(t => $"{t.Database}.{t.Table}"));
        text.Append("|case=").Append(_options.CaseSensitive);
        if (_options.Raw is { } raw)
        {
            text.Append("|raw=").Append(Convert.ToHexString(raw.Start)).Append('-').Append(Convert.ToHexString(raw.End)).Append(':').Append(raw.ColumnFamily);
        }

        return text.Append("|last=").Append(_options.LastBackupTs).ToString();
    }

    private async Task FlushPeriodicallyAsync(BackupCheckpoint checkpoint, string storage, CancellationToken cancellationToken)
    {
        var lockRefreshed = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            while (true)
            {
                await Task.Delay(_options.CheckpointFlushInterval, cancellationToken).ConfigureAwait(false);
                await TryFlushAsync(checkpoint, storage, cancellationToken).ConfigureAwait(false);
                if (_jobLock is not null && System.Diagnostics.Stopwatch.GetElapsedTime(lockRefreshed) >= BackupCheckpointLock.RefreshInterval)
                {
                    lockRefreshed = System.Diagnostics.Stopwatch.GetTimestamp();
                    try
                    {
                        await _jobLock.RefreshAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException && e is not OutOfMemoryException)
                    {
                        BackupLog.CheckpointFlushFailed(_logger, storage, OneLine(e.Message));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    // A job that stopped without backupmeta lets the next run in at once rather than when its lock expires.
    private async Task TryReleaseLockAsync(string storage)
    {
        if (_jobLock is null)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _jobLock.ReleaseAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            BackupLog.CheckpointFlushFailed(_logger, storage, OneLine(e.Message));
        }
    }

    private async Task TryFlushAsync(BackupCheckpoint checkpoint, string storage, CancellationToken cancellationToken = default)
    {
        try
        {
            await checkpoint.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not OutOfMemoryException)
        {
            BackupLog.CheckpointFlushFailed(_logger, storage, OneLine(e.Message));
        }
    }

    private void LogStopped(string error)
    {
        var summary = _stats.ToSummary(false, error);
        BackupLog.FailedSummary(_logger, KindName, summary.Ranges, summary.RangesSucceeded, summary.Ranges - summary.RangesSucceeded, summary.Regions, summary.Duration,
            summary.BackupTs, summary.TotalKvs, ByteSize.Format((ulong)summary.TotalBytes), ByteSize.Format((ulong)summary.BackupSize), summary.Files, error);
        foreach (var file in _stats.Files)
        {
            BackupLog.FileWrittenSoFar(_logger, summary.Storage, file.Name, file.Size, file.Cf, Keys.Describe(file.StartKey.Span, file.EndKey.Span));
        }
    }

    private static string Speed(BackupSummary summary) =>
        summary.Duration.TotalSeconds > 0 ? ByteSize.Format((ulong)(summary.TotalBytes / summary.Duration.TotalSeconds)) + "/s" : "0B/s";

    private static BrException AsBrException(Exception e) => JobErrors.AsBrException(e, "ErrBackupFailed");

    private static string OneLine(string text) => JobErrors.OneLine(text);
}
