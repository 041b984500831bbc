using System.Diagnostics;
using System.Text.Json;
using Cairn.Br.Checkpoint;
using Cairn.Br.Cluster;
using Cairn.Br.LocalServer;
using Cairn.Br.Metadata;
using Cairn.Br.Restore.Data;
using Cairn.Br.Restore.Incremental;
using Cairn.Br.Summary;
using Cairn.Client.Catalog;
using Cairn.Common;
using Cairn.Common.Hashing;
using Cairn.Common.Keys;
using Cairn.Rpc.Backup;
using Cairn.Storage;
using Cairn.Storage.Backends;
using Microsoft.Extensions.Logging;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Restore;

/// <summary>
/// One restore job from start to end (br-spec §d, §c for raw): every check that can refuse the job (the meta, the
/// kind, the selection, the routes, the target tables) runs before anything is created; then databases and tables in
/// batches, the data (restore-data's <see cref="DataRestorer"/>), the auto-id rebases and the checksums. On failure the
/// tables the job created are dropped, or listed as left undone when they cannot be.
/// </summary>
internal sealed class RestoreRun
{
    /// <summary>The progress phase of creating databases and tables (counted in tables).</summary>
    public const string CreatePhase = "Create tables";

    /// <summary>The progress phase of verifying checksums (counted in tables).</summary>
    public const string ChecksumPhase = "Checksum";

    private const int ChecksumConcurrency = 8;

    private readonly RestoreOptions _options;
    private readonly IProgress<BackupProgress>? _progress;
    private readonly ILogger _logger;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly List<RestoreTarget> _targets = [];
    private readonly List<string> _createdDatabases = [];
    private readonly List<string> _dropped = [];
    private readonly List<string> _notDropped = [];
    private string _storage = "";
    private Rpc.Backup.CipherInfo? _cipher;
    private ulong _backupTs;
    private DataRestoreResult? _data;
    private StorageBackend? _storesBackend;
    private TimeSpan _createDuration;
    private TimeSpan _checksumDuration;
    private RestoreCheckpoint? _checkpoint;
    private bool _checkpointStarted;

    public RestoreRun(RestoreOptions options, IProgress<BackupProgress>? progress, ILogger logger)
    {
        _options = options;
        _progress = progress;
        _logger = logger;
    }

    private string KindName => _options.Kind.ToString();

    public async Task<RestoreSummary> RunAsync(CancellationToken cancellationToken)
    {
        IExternalStorage? storage = null;
        ClusterConnection? cluster = null;
        StoreStorage? storesStorage = null;
        try
        {
            var url = ParseStorage();
            _storage = url.Uri;
            storage = await ExternalStorage.OpenAsync(url, _options.StorageOptions, cancellationToken).ConfigureAwait(false);
            var reader = await BackupMetaReader.OpenAsync(storage, _options.Crypter, cancellationToken).ConfigureAwait(false);
            _cipher = reader.Cipher;
            var meta = reader.Meta;
            _backupTs = meta.EndVersion;
            CheckKind(meta);
            cluster = await ClusterConnection.ConnectAsync(_options.PdAddresses, _options.PdConnectTimeout, _options.Tls, cancellationToken).ConfigureAwait(false);
            if (_options.CheckRequirements)
            {
                var stores = await cluster.Pd.GetAllStoresAsync(excludeTombstones: true, cancellationToken).ConfigureAwait(false);
                StoreVersionCheck.Check(stores);
                CheckBackupVersion(meta.ClusterVersion, stores);
            }

            storesStorage = await StoreStorage.StartAsync(url, _options.LocalServer, _options.SendCredentialsToStores, _options.Tls, cluster, _logger, cancellationToken).ConfigureAwait(false);
            _storesBackend = storesStorage.Backend;
            RestoreLog.Started(_logger, KindName, _storage, meta.EndVersion, reader.IsV2 ? 2 : 1, _options.Concurrency);
            if (_options.UseCheckpoint)
            {
                _checkpoint = await RestoreResume.OpenAsync(_options, cluster, meta, _storage, _logger, cancellationToken).ConfigureAwait(false);
            }

            var summary = _options.Kind == RestoreKind.Raw
                ? await RestoreRawAsync(cluster, reader, url, cancellationToken).ConfigureAwait(false)
                : await RestoreTablesAsync(cluster, reader, url, cancellationToken).ConfigureAwait(false);
            LogSuccess(summary);
            return summary;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // With a checkpoint what was done is kept for the same restore to resume; without, it is undone.
            if (_checkpoint is null)
            {
                await CleanUpAsync(cluster).ConfigureAwait(false);
            }

            RestoreLog.Cancelled(_logger, _storage);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not OutOfMemoryException)
        {
            var error = AsBrException(e);
            await CleanUpAsync(cluster).ConfigureAwait(false);
            await ForgetCheckpointAsync().ConfigureAwait(false);
            if (_notDropped.Count > 0)
            {
                error = new BrException(error.Code, $"{error.Message}; created by this restore and not dropped, so not to be used: {string.Join(", ", _notDropped)} (drop them by hand)", e, error.IsTransient);
            }

            var summary = Summary(false, error.Message);
            RestoreLog.FailedSummary(_logger, KindName, summary.Tables, summary.TablesCreated, summary.TablesRestored, summary.Ranges, summary.Files, summary.Duration, summary.BackupTs,
                summary.TotalKvs, string.Join(", ", summary.TablesFailed), error.Message);
            throw new BrException(error.Code, error.Message, e, error.IsTransient) { RestoreSummary = summary };
        }
        finally
        {
            if (_checkpoint is not null)
            {
                await _checkpoint.DisposeAsync().ConfigureAwait(false);
            }

            if (storesStorage is not null)
            {
                await storesStorage.DisposeAsync().ConfigureAwait(false);
            }

            if (cluster is not null)
            {
                await cluster.DisposeAsync().ConfigureAwait(false);
            }

            if (storage is not null)
            {
                await storage.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void CheckKind(BackupMeta meta)
    {
        if (meta.IsRawKv && _options.Kind != RestoreKind.Raw)
        {
            throw new BrException("ErrRestoreModeMismatch", $"the backup in {_storage} is a raw-KV backup: restore it with 'br restore raw'");
        }

        if (!meta.IsRawKv && _options.Kind == RestoreKind.Raw)
        {
            throw new BrException("ErrRestoreModeMismatch", $"the backup in {_storage} is a transactional (table) backup, not raw KV: restore it with 'br restore full', 'db' or 'table'");
        }
    }

    /// <summary>Every store's major version must be at least the backup cluster's (br-spec §d.3).</summary>
    private static void CheckBackupVersion(string clusterVersion, IReadOnlyList<Rpc.Metapb.Store> stores)
    {
        var backupVersion = StoreVersionCheck.Parse(clusterVersion.Trim().Trim('"'));
        if (backupVersion is null)
        {
            return;
        }

        foreach (var store in stores)
        {
            if (StoreVersionCheck.Parse(store.Version) is { } version && version.Major < backupVersion.Major)
            {
                throw new BrException("ErrVersionMismatch",
                    $"store {store.Id} ({store.Address}) runs version {store.Version}, older than the backup's cluster ({backupVersion}): upgrade the target cluster, or pass --check-requirements=false to try anyway");
            }
        }
    }

    private async Task<RestoreSummary> RestoreRawAsync(ClusterConnection cluster, BackupMetaReader reader, StorageUrl url, CancellationToken cancellationToken)
    {
        var raw = _options.Raw!;
        var ranges = new List<RawRange>();
        await foreach (var range in reader.ReadRawRangesAsync(cancellationToken).ConfigureAwait(false))
        {
            ranges.Add(range);
        }

        var inside = ranges.Any(r => (r.Cf.Length == 0 ? "default" : r.Cf) == raw.ColumnFamily
            && r.StartKey.Span.SequenceCompareTo(raw.Start) <= 0
            && (r.EndKey.IsEmpty || (raw.End.Length > 0 && raw.End.AsSpan().SequenceCompareTo(r.EndKey.Span) <= 0)));
        if (!inside)
        {
            throw new BrException("ErrRestoreRangeMismatch",
                $"the raw range [{Convert.ToHexString(raw.Start)}, {Convert.ToHexString(raw.End)}) of cf {raw.ColumnFamily} is not inside a range of the backup ({string.Join(", ", ranges.Select(r => $"[{Convert.ToHexString(r.StartKey.Span)}, {Convert.ToHexString(r.EndKey.Span)}) cf {(r.Cf.Length == 0 ? "default" : r.Cf)}"))}): give a range the backup covers");
        }

        var files = new List<BackupFile>();
        await foreach (var file in reader.ReadFilesAsync(cancellationToken).ConfigureAwait(false))
        {
            files.Add(file);
        }

        await BeginCheckpointAsync(cluster, cancellationToken).ConfigureAwait(false);
        _data = await Restorer(cluster, url).RestoreRawAsync(files, raw.Start, raw.End, raw.ColumnFamily, cancellationToken).ConfigureAwait(false);
        await FinishCheckpointAsync().ConfigureAwait(false);
        return Summary(true, null);
    }

    private async Task<RestoreSummary> RestoreTablesAsync(ClusterConnection cluster, BackupMetaReader reader, StorageUrl url, CancellationToken cancellationToken)
    {
        var schemas = new List<Schema>();
        await foreach (var schema in reader.ReadSchemasAsync(cancellationToken).ConfigureAwait(false))
        {
            schemas.Add(schema);
        }

        var incremental = RestoreChain.IsIncremental(reader.Meta);
        if (incremental)
        {
            IncrementalRestore.CheckOptions(_options, _storage);
        }

        var selection = RestoreSelection.Select(schemas, _options);
        _targets.AddRange(selection.Targets);
        var chainTs = await cluster.Pd.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
        var chain = await RestoreChain.ReadAsync(cluster.Txn, chainTs, cancellationToken).ConfigureAwait(false);
        if (_checkpoint is { Resumed: true })
        {
            await RestoreResume.BindCreatedAsync(cluster, _targets, _checkpoint, _logger, cancellationToken).ConfigureAwait(false);
        }

        if (incremental)
        {
            // An incremental writes into the tables of its chain's earlier restores: the chain, not emptiness, is checked.
            RestoreChain.CheckFollows(chain, reader.Meta, _storage);
        }
        else
        {
            // Tables a dead run of this restore created are its own: only the others are checked.
            await TargetCheck.CheckAsync(cluster, [.. selection.Targets.Where(t => t.Target is null)], _options.AllowExistingEmptyTables, cancellationToken).ConfigureAwait(false);
        }

        var files = await FilesByPhysicalIdAsync(reader, selection.Targets, cancellationToken).ConfigureAwait(false);
        RestoreLog.Planned(_logger, selection.Databases.Count, selection.Targets.Count(t => !t.Backup.IsView), selection.Targets.Count(t => t.Backup.IsView), files.Values.Sum(f => (long)f.Count));

        // Every refusal is behind us: from here on the job changes the target cluster.
        if (_options.Kind == RestoreKind.Full)
        {
            await cluster.ResetTsAsync(reader.Meta.EndVersion, cancellationToken).ConfigureAwait(false);
            RestoreLog.TsoAdvanced(_logger, reader.Meta.EndVersion);
        }

        await BeginCheckpointAsync(cluster, cancellationToken).ConfigureAwait(false);
        var restoreTs = await cluster.Pd.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
        var keeper = await SafePointKeeper.StartAsync(cluster, restoreTs - 1, _options.GcTtl, _logger, cancellationToken).ConfigureAwait(false);
        try
        {
            using var work = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, keeper.Lost);
            try
            {
                var jobs = 0;
                if (incremental)
                {
                    jobs = await IncrementalRestore.ReplayAsync(cluster, reader, _options, _logger, work.Token).ConfigureAwait(false);
                    await IncrementalRestore.BindExistingAsync(cluster, _targets, _logger, work.Token).ConfigureAwait(false);
                }

                if (_checkpoint is not null)
                {
                    await RestoreResume.PlanCreationAsync(cluster, _targets, _checkpoint, work.Token).ConfigureAwait(false);
                }

                await CreateAsync(cluster.Catalog, selection, work.Token).ConfigureAwait(false);
                if (_checkpoint is not null)
                {
                    RestoreResume.RecordCreated(_checkpoint, _targets);
                    await _checkpoint.FlushAsync(work.Token).ConfigureAwait(false);
                }

                var data = _targets.Where(t => !t.Backup.IsView).SelectMany(t => TableData(t, files)).ToList();

                // An incremental's versions (Deletes too) are written at a fresh ts, above all the target holds.
                var newTs = incremental ? await cluster.Pd.GetTimestampAsync(work.Token).ConfigureAwait(false) : 0;
                if (incremental)
                {
                    IncrementalRestoreLog.Started(_logger, reader.Meta.StartVersion, reader.Meta.EndVersion, chain!.Storage, jobs, newTs);
                }

                _data = await Restorer(cluster, url).RestoreTablesAsync(data, newTs, work.Token).ConfigureAwait(false);
                await RebaseAsync(cluster.Catalog, work.Token).ConfigureAwait(false);
                await VerifyAsync(cluster, incremental, work.Token).ConfigureAwait(false);
                await RestoreChain.WriteAsync(cluster.Txn, reader.Meta, _storage, work.Token).ConfigureAwait(false);
                IncrementalRestoreLog.Recorded(_logger, _storage, incremental ? reader.Meta.StartVersion : 0, reader.Meta.EndVersion, reader.Meta.ClusterId);
                await FinishCheckpointAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (keeper.Failure is { } lost && !cancellationToken.IsCancellationRequested)
            {
                throw lost;
            }
        }
        finally
        {
            await keeper.DisposeAsync().ConfigureAwait(false);
        }

        return Summary(true, null);
    }

    private DataRestorer Restorer(ClusterConnection cluster, StorageUrl url) =>
        new(cluster, _storesBackend ?? StorageBackends.ToBackend(url, _options.SendCredentialsToStores), new DataRestoreOptions
        {
            Concurrency = _options.Concurrency,
            RateLimitBytesPerSecond = (ulong)_options.RateLimitBytesPerSecond,
            SwitchModeInterval = _options.SwitchModeInterval,
            ScatterWait = _options.ScatterWait,
            Cipher = _cipher,
        }, _progress, _logger)
        {
            Checkpoint = _checkpoint,
        };

    /// <summary>The backup's files by the physical table id of their start key (only tables the restore selected).</summary>
    private static async Task<Dictionary<long, List<BackupFile>>> FilesByPhysicalIdAsync(BackupMetaReader reader, IReadOnlyList<RestoreTarget> targets, CancellationToken cancellationToken)
    {
        var wanted = targets.SelectMany(t => t.Backup.PhysicalIds).ToHashSet();
        var files = new Dictionary<long, List<BackupFile>>();
        await foreach (var file in reader.ReadFilesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (file.StartKey.Length < 9 || file.StartKey.Span[0] != (byte)'t')
            {
                continue;
            }

            var id = TableCodec.DecodeTableId(file.StartKey.Span);
            if (!wanted.Contains(id))
            {
                continue;
            }

            if (!files.TryGetValue(id, out var list))
            {
                files[id] = list = [];
            }

            list.Add(file);
        }

        return files;
    }

    private async Task CreateAsync(CatalogClient catalog, RestoreSelection selection, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var progress = new PhaseProgress(_progress, CreatePhase, selection.Targets.Count, "table");
        var existing = (await catalog.ListDatabasesAsync(null, cancellationToken).ConfigureAwait(false)).Select(d => d.Name.L).ToHashSet(StringComparer.Ordinal);
        foreach (var database in selection.Databases)
        {
            if (!existing.Contains(database.ToLowerInvariant()))
            {
                await catalog.CreateDatabaseAsync(database, cancellationToken).ConfigureAwait(false);
                _createdDatabases.Add(database);
            }
        }

        var created = 0;
        var report = new InlineProgress(n =>
        {
            for (var i = 0; i < n; i++)
            {
                progress.Increment();
            }
        });
        foreach (var level in TableCreationOrder.Levels(_targets.Where(t => t.Target is null).ToList()))
        {
            foreach (var byDatabase in level.GroupBy(t => t.TargetDatabase, StringComparer.OrdinalIgnoreCase))
            {
                var batch = byDatabase.ToList();
                var tables = await catalog.CreateTablesAsync(byDatabase.Key, batch.Select(Definition).ToList(), _options.CreateBatchSize, report, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Target = tables[i];
                    batch[i].CreatedByJob = true;
                }

                created += batch.Count;
            }
        }

        progress.Complete();
        _createDuration = clock.Elapsed;
        RestoreLog.Created(_logger, _createdDatabases.Count, created, clock.ElapsedMilliseconds);
    }

    /// <summary>The backed-up definition under its target name, with view references routed as their targets are.</summary>
    private TableInfo Definition(RestoreTarget target)
    {
        var definition = target.Backup with { Name = new CIStr(target.TargetTable) };
        if (definition.View is not { } view)
        {
            return definition;
        }

        var select = view.Select;
        var references = new List<string>();
        foreach (var reference in view.References ?? [])
        {
            var dot = reference.IndexOf('.', StringComparison.Ordinal);
            var routed = _targets.FirstOrDefault(t => string.Equals(t.SourceDatabase, reference[..dot], StringComparison.OrdinalIgnoreCase)
                && string.Equals(t.SourceTable, reference[(dot + 1)..], StringComparison.OrdinalIgnoreCase));
            if (routed is null)
            {
                references.Add(reference);
                continue;
            }

            references.Add(routed.TargetName);
            select = select.Replace($"`{reference[..dot]}`.`{reference[(dot + 1)..]}`", $"`{routed.TargetDatabase}`.`{routed.TargetTable}`", StringComparison.OrdinalIgnoreCase);
        }

        return definition with { View = view with { Select = select, References = references } };
    }

    /// <summary>The data of one target: one entry per physical table, with record and index prefixes mapped by name.</summary>
    private static IEnumerable<RestoreTableData> TableData(RestoreTarget target, Dictionary<long, List<BackupFile>> files)
    {
        var backup = target.Backup;
        var restored = target.Target!;
        foreach (var (oldId, newId) in RewriteRules.PhysicalPairs(backup, restored))
        {
            yield return new RestoreTableData(target.TargetDatabase, target.TargetTable, oldId, newId,
                files.TryGetValue(oldId, out var list) ? list : [], RewriteRules.For(backup, restored, oldId, newId));
        }
    }

    private async Task RebaseAsync(CatalogClient catalog, CancellationToken cancellationToken)
    {
        foreach (var target in _targets.Where(t => !t.Backup.IsView))
        {
            if (target.Backup.AutoIncId > 1)
            {
                await catalog.RebaseAutoIdAsync(target.TargetDatabase, target.TargetTable, target.Backup.AutoIncId - 1, autoRandom: false, cancellationToken).ConfigureAwait(false);
            }

            if (target.Backup.AutoRandomBits > 0 && target.Backup.Extra is { } extra && extra.TryGetValue("auto_rand_id", out var next)
                && next.ValueKind == JsonValueKind.Number && next.GetInt64() > 1)
            {
                await catalog.RebaseAutoIdAsync(target.TargetDatabase, target.TargetTable, next.GetInt64() - 1, autoRandom: true, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task VerifyAsync(ClusterConnection cluster, bool incremental, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var tables = _targets.Where(t => !t.Backup.IsView).ToList();
        foreach (var view in _targets.Where(t => t.Backup.IsView))
        {
            view.Restored = true;
        }

        if (!_options.Checksum)
        {
            foreach (var table in tables)
            {
                table.Restored = true;
            }

            return;
        }

        var progress = new PhaseProgress(_progress, ChecksumPhase, tables.Count, "table");
        var ts = await cluster.Pd.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
        await Parallel.ForEachAsync(tables, new ParallelOptions { MaxDegreeOfParallelism = ChecksumConcurrency, CancellationToken = cancellationToken }, async (table, token) =>
        {
            var expected = new KvChecksum(table.Schema.Crc64Xor, table.Schema.TotalKvs, table.Schema.TotalBytes);
            if (_checkpoint?.IsVerified(table.Target!.Id) == true)
            {
                // Verified by the run before this one; nothing was written to it since.
            }
            else if (incremental)
            {
                IncrementalRestoreLog.ChecksumNotVerifiable(_logger, table.TargetDatabase, table.TargetTable);
            }
            else if (expected == KvChecksum.Empty)
            {
                RestoreLog.ChecksumSkipped(_logger, table.TargetDatabase, table.TargetTable);
            }
            else
            {
                var oldIds = RewriteRules.PhysicalPairs(table.Backup, table.Target!).ToDictionary(p => p.NewId, p => p.OldId);
                var actual = await cluster.Checksums.ChecksumTableAsync(table.Target!, ts, oldIds, RewriteRules.IndexPairs(table.Backup, table.Target!), token).ConfigureAwait(false);
                if (actual != expected)
                {
                    throw new BrException("ErrRestoreChecksumMismatch",
                        $"checksum of restored table {table.TargetName} does not match the backup's {table.SourceName} (restored crc64xor {actual.Crc64Xor}, {actual.TotalKvs} kvs, {actual.TotalBytes} bytes; backup {expected.Crc64Xor}, {expected.TotalKvs} kvs, {expected.TotalBytes} bytes): check the backup with 'br debug checksum' and restore again");
                }

                RestoreLog.ChecksumMatched(_logger, table.TargetDatabase, table.TargetTable, actual.Crc64Xor, actual.TotalKvs, actual.TotalBytes);
                _checkpoint?.Verified(table.Target!.Id);
            }

            table.Restored = true;
            progress.Increment();
        }).ConfigureAwait(false);
        progress.Complete();
        _checksumDuration = clock.Elapsed;
    }

    /// <summary>Once every refusal is behind the job: starts writing the checkpoint, or clears one left when running without.</summary>
    private async Task BeginCheckpointAsync(ClusterConnection cluster, CancellationToken cancellationToken)
    {
        if (_checkpoint is null)
        {
            await RestoreResume.ClearAsync(_options, cluster, cancellationToken).ConfigureAwait(false);
            return;
        }

        _checkpoint.StartFlushing(_options.CheckpointFlushInterval);
        _checkpointStarted = true;
    }

    /// <summary>The restore is complete: its checkpoint goes.</summary>
    private async Task FinishCheckpointAsync()
    {
        if (_checkpoint is null)
        {
            return;
        }

        if (_checkpoint.Resumed)
        {
            RestoreCheckpointLog.Skipped(_logger, _checkpoint.SkippedGroups, _checkpoint.SkippedVerifies);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _checkpoint.RemoveAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>After a failure whose tables were all dropped, the checkpoint describes nothing left: it goes too.</summary>
    private async Task ForgetCheckpointAsync()
    {
        if (_checkpoint is null || !_checkpointStarted || _notDropped.Count > 0)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _checkpoint.RemoveAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            RestoreCheckpointLog.RemoveFailed(_logger, _checkpoint.Location, JobErrors.OneLine(e.Message));
        }
    }

    /// <summary>After a failure: drops what the job created (views first, then tables, then databases it created), listing what it could not drop.</summary>
    private async Task CleanUpAsync(ClusterConnection? cluster)
    {
        if (cluster is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var created = _targets.Where(t => t.CreatedByJob).OrderBy(t => t.Backup.IsView ? 0 : 1).ThenByDescending(t => t.Target!.Id).ToList();
        foreach (var target in created)
        {
            try
            {
                if (target.Backup.IsView)
                {
                    await cluster.Catalog.DropViewAsync(target.TargetDatabase, target.TargetTable, timeout.Token).ConfigureAwait(false);
                }
                else
                {
                    await cluster.Catalog.DropTableAsync(target.TargetDatabase, target.TargetTable, timeout.Token).ConfigureAwait(false);
                }

                target.CreatedByJob = false;
                target.Restored = false;
                _dropped.Add(target.TargetName);
                RestoreLog.DroppedAfterFailure(_logger, target.TargetDatabase, target.TargetTable);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _notDropped.Add(target.TargetName);
                RestoreLog.DropFailed(_logger, target.TargetDatabase, target.TargetTable, e.Message);
            }
        }

        if (_notDropped.Count > 0)
        {
            return;
        }

        foreach (var database in Enumerable.Reverse(_createdDatabases))
        {
            try
            {
                await cluster.Catalog.DropDatabaseAsync(database, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _notDropped.Add(database + ".*");
                RestoreLog.DropFailed(_logger, database, "*", e.Message);
            }
        }
    }

    private RestoreSummary Summary(bool succeeded, string? error) => new()
    {
        Storage = _storage,
        BackupTs = _backupTs,
        DatabasesCreated = _createdDatabases.Count,
        Tables = _targets.Count,
        TablesCreated = _targets.Count(t => t.CreatedByJob) + _dropped.Count,
        TablesRestored = _targets.Count(t => t.Restored),
        Ranges = _data?.Ranges ?? 0,
        Files = _data?.Files ?? 0,
        TotalKvs = _data?.Kvs ?? 0,
        TotalBytes = _data?.Bytes ?? 0,
        Duration = Stopwatch.GetElapsedTime(_started),
        CreateDuration = _createDuration,
        ChecksumDuration = _checksumDuration,
        Succeeded = succeeded,
        Error = error,
        LeftUndone = succeeded ? [] : [.. _targets.Where(t => !t.Restored).Select(t => t.TargetName)],
        TablesFailed = [.. _notDropped],
        DroppedAfterFailure = [.. _dropped],
        Resumed = _checkpoint?.Resumed ?? false,
        SkippedFileGroups = _checkpoint?.SkippedGroups ?? 0,
    };

    private void LogSuccess(RestoreSummary summary)
    {
        var speed = summary.Duration.TotalSeconds > 0 ? ByteSize.Format((ulong)(summary.TotalBytes / summary.Duration.TotalSeconds)) + "/s" : "0B/s";
        RestoreLog.SuccessSummary(_logger, KindName, summary.Tables, summary.Ranges, summary.Files, summary.Duration, summary.ChecksumDuration, summary.BackupTs, summary.TotalKvs,
            ByteSize.Format(summary.TotalBytes), speed);
    }

    private StorageUrl ParseStorage() => JobErrors.ParseStorage(_options.Storage, _options.StorageOptions);

    private static BrException AsBrException(Exception e) => e is CatalogException c
        ? new BrException("ErrRestoreCreateTable", $"creating the restored schema failed: {JobErrors.OneLine(c.Message)}", c)
        : JobErrors.AsBrException(e, "ErrRestoreFailed");
}
