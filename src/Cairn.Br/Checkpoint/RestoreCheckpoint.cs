using System.Security.Cryptography;
using System.Text;
using Cairn.Br.Restore.Data;
using Cairn.Rpc.Backup;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.Checkpoint;

/// <summary>
/// The progress of one restore, kept so that running the same restore again after it died skips what is done: the
/// tables it created (reused by id), the file groups ingested and the tables verified. Recorded in memory as the job
/// goes and written to its <see cref="RestoreCheckpointStore"/> every few seconds and at each phase's end; a group
/// ingested after the last write is ingested again on resume, which changes nothing (same keys, same versions).
/// Thread-safe.
/// </summary>
internal sealed class RestoreCheckpoint : IAsyncDisposable
{
    /// <summary>BR-style error code for a checkpoint that cannot be used.</summary>
    public const string InvalidCode = "ErrInvalidCheckpoint";

    private const int FormatVersion = 1;

    private readonly RestoreCheckpointStore _store;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Dictionary<string, long> _tables;
    private readonly HashSet<string> _ingested;
    private readonly HashSet<long> _verified;
    private readonly HashSet<string> _creating;
    private long _creatingFromId;
    private readonly RestoreCheckpointRecord _identity;
    private CancellationTokenSource? _stopFlushing;
    private Task _flusher = Task.CompletedTask;
    private bool _dirty;
    private int _skippedGroups;
    private int _skippedVerifies;

    private RestoreCheckpoint(RestoreCheckpointStore store, RestoreCheckpointRecord identity, RestoreCheckpointRecord? found, ILogger logger)
    {
        _store = store;
        _identity = identity;
        _logger = logger;
        Resumed = found is not null;
        _tables = new Dictionary<string, long>(found?.Tables ?? [], StringComparer.Ordinal);
        _ingested = new HashSet<string>(found?.Ingested ?? [], StringComparer.Ordinal);
        _verified = [.. found?.Verified ?? []];
        _creating = new HashSet<string>(found?.Creating ?? [], StringComparer.Ordinal);
        _creatingFromId = found?.CreatingFromId ?? 0;
    }

    /// <summary>Whether a dead run's progress was found.</summary>
    public bool Resumed { get; }

    /// <summary>Where the checkpoint is kept, for messages.</summary>
    public string Location => _store.Describe;

    /// <summary>File groups skipped because a dead run had ingested them.</summary>
    public int SkippedGroups => Volatile.Read(ref _skippedGroups);

    /// <summary>Tables not verified again because a dead run had.</summary>
    public int SkippedVerifies => Volatile.Read(ref _skippedVerifies);

    /// <summary>
    /// Opens the checkpoint for the restore of <paramref name="meta"/> with the job hash <paramref name="hash"/>:
    /// empty when there is none; refused when the one found belongs to another backup or job.
    /// </summary>
    public static async Task<RestoreCheckpoint> OpenAsync(RestoreCheckpointStore store, BackupMeta meta, string hash, string storage, ILogger logger, CancellationToken cancellationToken)
    {
        var identity = new RestoreCheckpointRecord { FormatVersion = FormatVersion, UpstreamClusterId = meta.ClusterId, RestoredTs = meta.EndVersion, Hash = hash, Storage = storage };
        var found = await store.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (found is not null)
        {
            var mismatch = found.FormatVersion != FormatVersion
                ? $"it has format {found.FormatVersion}, this br reads {FormatVersion}"
                : found.UpstreamClusterId != meta.ClusterId || found.RestoredTs != meta.EndVersion
                    ? $"it is of the backup of cluster {found.UpstreamClusterId} at ts {found.RestoredTs} ({found.Storage}), this backup is of cluster {meta.ClusterId} at ts {meta.EndVersion}"
                    : !string.Equals(found.Hash, hash, StringComparison.Ordinal)
                        ? $"it was started with another filter, tables or renames ({found.Storage})"
                        : null;
            if (mismatch is not null)
            {
                throw new BrException(InvalidCode,
                    $"{store.Describe} holds the checkpoint of another restore ({mismatch}): run that restore again to finish it, or clear the checkpoint by running this restore with --use-checkpoint=false");
            }

            RestoreCheckpointLog.Resuming(logger, store.Describe, found.Tables.Count, found.Ingested.Count, found.Verified.Count);
        }

        return new RestoreCheckpoint(store, identity, found, logger);
    }

    /// <summary>SHA-256 (hex) of the parts of a restore that decide what it writes where.</summary>
    public static string Hash(RestoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var text = new StringBuilder(options.Kind.ToString());
        text.Append("|filter=").Append(options.Filter?.ToString() ?? "");
        text.Append("|dbs=").AppendJoin(',', options.Databases ?? []);
        text.Append("|tables=").AppendJoin(',', (options.Tables ?? []).Select(t => $"{t.Database}.{t.Table}"));
        text.Append("|case=").Append(options.CaseSensitive);
        text.Append("|rename=").AppendJoin(',', options.Renames.Select(r => r.ToString()));
        if (options.Raw is { } raw)
        {
            text.Append("|raw=").Append(Convert.ToHexString(raw.Start)).Append('-').Append(Convert.ToHexString(raw.End)).Append(':').Append(raw.ColumnFamily);
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Whether a run of this job recorded or planned a table of this name (only those need a catalog look-up).</summary>
    public bool MayHaveCreated(string database, string table)
    {
        lock (_gate)
        {
            var key = TableKey(database, table);
            return _tables.ContainsKey(key) || _creating.Contains(key);
        }
    }

    /// <summary>
    /// Whether the table named so with id <paramref name="id"/> was created by a run of this job: recorded as
    /// created, or planned for creation by a run that died before recording it and given an id the cluster handed
    /// out after that run began creating.
    /// </summary>
    public bool CreatedByJob(string database, string table, long id)
    {
        lock (_gate)
        {
            var key = TableKey(database, table);
            return _tables.TryGetValue(key, out var recorded)
                ? recorded == id
                : _creating.Contains(key) && _creatingFromId > 0 && id > _creatingFromId;
        }
    }

    /// <summary>
    /// Records the tables about to be created and the cluster's global id before their creation (kept from the
    /// first run that planned, since its tables have the smallest ids).
    /// </summary>
    public void PlanCreation(long globalId, IEnumerable<(string Database, string Table)> tables)
    {
        lock (_gate)
        {
            if (_creatingFromId == 0)
            {
                _creatingFromId = globalId;
            }

            foreach (var (database, table) in tables)
            {
                _creating.Add(TableKey(database, table));
            }

            _dirty = true;
        }
    }

    /// <summary>Records a table the job created.</summary>
    public void TableCreated(string database, string table, long id)
    {
        lock (_gate)
        {
            _tables[TableKey(database, table)] = id;
            _dirty = true;
        }
    }

    /// <summary>Whether a dead run ingested <paramref name="group"/>; counts it when it did.</summary>
    public bool IsIngested(FileGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        lock (_gate)
        {
            if (!_ingested.Contains(GroupKey(group)))
            {
                return false;
            }
        }

        Interlocked.Increment(ref _skippedGroups);
        return true;
    }

    /// <summary>Records that <paramref name="group"/> is ingested.</summary>
    public void Ingested(FileGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        lock (_gate)
        {
            _dirty |= _ingested.Add(GroupKey(group));
        }
    }

    /// <summary>Whether a dead run verified the table with this id; counts it when it did.</summary>
    public bool IsVerified(long tableId)
    {
        lock (_gate)
        {
            if (!_verified.Contains(tableId))
            {
                return false;
            }
        }

        Interlocked.Increment(ref _skippedVerifies);
        return true;
    }

    /// <summary>Records that the table with this id matched its checksum.</summary>
    public void Verified(long tableId)
    {
        lock (_gate)
        {
            _dirty |= _verified.Add(tableId);
        }
    }

    /// <summary>Starts writing what was recorded every <paramref name="interval"/>.</summary>
    public void StartFlushing(TimeSpan interval)
    {
        _stopFlushing = new CancellationTokenSource();
        var token = _stopFlushing.Token;
        _flusher = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await Task.Delay(interval, token).ConfigureAwait(false);
                    await TryFlushAsync(token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
        }, CancellationToken.None);
    }

    /// <summary>Writes what was recorded since the last write (nothing when nothing was).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            RestoreCheckpointRecord record;
            lock (_gate)
            {
                if (!_dirty)
                {
                    return;
                }

                record = _identity with { Tables = new(_tables, StringComparer.Ordinal), Ingested = [.. _ingested.Order(StringComparer.Ordinal)], Verified = [.. _verified.Order()], Creating = [.. _creating.Order(StringComparer.Ordinal)], CreatingFromId = _creatingFromId };
                _dirty = false;
            }

            try
            {
                await _store.WriteAsync(record, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                lock (_gate)
                {
                    _dirty = true;
                }

                throw;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Removes the checkpoint: the restore finished (or failed and dropped what it created).</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken)
    {
        await StopFlushingAsync().ConfigureAwait(false);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                _dirty = false;
            }

            await _store.DeleteAsync(cancellationToken).ConfigureAwait(false);
            RestoreCheckpointLog.Removed(_logger, _store.Describe);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Stops the periodic writes and writes what is left, so a stopped job keeps its progress.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopFlushingAsync().ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await TryFlushAsync(timeout.Token).ConfigureAwait(false);
        _writeGate.Dispose();
        await _store.DisposeAsync().ConfigureAwait(false);
    }

    private async Task StopFlushingAsync()
    {
        if (_stopFlushing is { } stop)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await _flusher.ConfigureAwait(false);
            stop.Dispose();
            _stopFlushing = null;
        }
    }

    private async Task TryFlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            RestoreCheckpointLog.FlushFailed(_logger, _store.Describe, JobErrors.OneLine(e.Message));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string TableKey(string database, string table) => $"{database.ToLowerInvariant()}.{table.ToLowerInvariant()}";

    // The new physical id and a digest of the group's file names: both fixed for one backup and one created table.
    private static string GroupKey(FileGroup group)
    {
        var names = string.Join('\n', group.Files.Select(f => f.Name).Order(StringComparer.Ordinal));
        var digest = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(names)), 0, 16);
        return $"{group.Table?.NewPhysicalId ?? 0}/{digest}";
    }
}
