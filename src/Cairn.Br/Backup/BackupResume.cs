using Cairn.Br.Metadata;
using Cairn.Br.RangeTree;
using Cairn.Common;
using Cairn.Common.Keys;
using Cairn.Pd.Client;
using Cairn.Storage;

namespace Cairn.Br.Backup;

/// <summary>
/// A backup that picks up where a dead run stopped: the storage holds its checkpoint and no backupmeta. The new run
/// must be the same job (cluster, incremental base, fingerprint of filter and ranges), keeps the checkpoint's backup
/// ts and service safepoint id, and only backs up what no recorded piece covers.
/// </summary>
internal sealed class BackupResume
{
    private readonly BackupCheckpoint _checkpoint;
    private int _reused;
    private int _complete;
    private int _gaps;

    private BackupResume(BackupCheckpoint checkpoint) => _checkpoint = checkpoint;

    /// <summary>The checkpoint being resumed; the new run appends segments to it.</summary>
    public BackupCheckpoint Checkpoint => _checkpoint;

    /// <summary>The snapshot of the dead run.</summary>
    public ulong BackupTs => _checkpoint.Header.BackupTs;

    /// <summary>The dead run's service safepoint id (empty for raw backups).</summary>
    public string SafePointId => _checkpoint.Header.SafePointId;

    /// <summary>Pieces of the dead run put back into the plan.</summary>
    public int ReusedPieces => Volatile.Read(ref _reused);

    /// <summary>
    /// The checkpoint of <paramref name="storage"/> when it is to be resumed, or null: there is none, or the backup
    /// finished (backupmeta exists; the caller refuses that storage as used).
    /// </summary>
    public static async Task<BackupResume?> TryOpenAsync(IExternalStorage storage, CancellationToken cancellationToken)
    {
        if (await storage.ExistsAsync(BackupFiles.Meta, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var checkpoint = await BackupCheckpoint.TryOpenAsync(storage, cancellationToken).ConfigureAwait(false);
        return checkpoint is null ? null : new BackupResume(checkpoint);
    }

    /// <summary>Refuses a run that is not the job the checkpoint belongs to, saying what differs.</summary>
    public void Validate(string storage, ulong clusterId, ulong lastBackupTs, string fingerprint, ulong requestedBackupTs)
    {
        var mismatch = _checkpoint.Header.ResumeMismatch(clusterId, lastBackupTs, fingerprint);
        if (mismatch is null && requestedBackupTs != 0 && requestedBackupTs != BackupTs)
        {
            mismatch = $"the checkpoint is of the snapshot {BackupTs}, not --backupts {requestedBackupTs}";
        }

        if (mismatch is not null)
        {
            throw new BrException(BackupCheckpoint.InvalidCode,
                $"the backup in {storage} cannot resume: {mismatch}; run it again with the settings it was started with, or delete the folder and start again");
        }
    }

    /// <summary>Refuses when GC has passed the snapshot (or the incremental base) since the dead run.</summary>
    public async Task CheckSnapshotAsync(PdClient pd, string storage, ulong lastBackupTs, CancellationToken cancellationToken)
    {
        if (BackupTs == 0)
        {
            return;
        }

        var gcSafePoint = await pd.GetGcSafePointAsync(cancellationToken).ConfigureAwait(false);
        var protect = lastBackupTs > 0 ? lastBackupTs : BackupTs;
        if (protect <= gcSafePoint)
        {
            throw new BrException("ErrBackupGCSafepointExceeded",
                $"the backup in {storage} cannot resume: GC has passed its snapshot (ts {protect}, {Tso.Format(protect)}; GC safepoint {gcSafePoint}, {Tso.Format(gcSafePoint)}); delete the folder and start again");
        }
    }

    /// <summary>
    /// The pieces already done inside <paramref name="range"/>, as a tree the range backuper completes, or null when
    /// none is. A piece reaching outside the range is not reused (it is backed up again).
    /// </summary>
    public FileRangeTree? TreeFor(KeyRange range)
    {
        var tree = new FileRangeTree();
        var pieces = 0;
        foreach (var piece in _checkpoint.CompletedRanges)
        {
            var start = piece.Start.ToArray();
            var end = piece.End.ToArray();
            if (Inside(start, end, range))
            {
                tree.Put(start, end, piece.Files);
                pieces++;
            }
        }

        if (pieces == 0)
        {
            Interlocked.Increment(ref _gaps);
            return null;
        }

        Interlocked.Add(ref _reused, tree.Count);
        var gaps = tree.GetIncompleteRanges(range.Start, range.End).Count;
        Interlocked.Add(ref _gaps, gaps);
        if (gaps == 0)
        {
            Interlocked.Increment(ref _complete);
        }

        return tree;
    }

    /// <summary>Counts for the log once every range has been planned.</summary>
    public (int Reused, int Complete, int Gaps) Counts() => (Volatile.Read(ref _reused), Volatile.Read(ref _complete), Volatile.Read(ref _gaps));

    /// <summary>
    /// Removes the checkpoint once backupmeta is written: a finished backup never resumes, and its folder then holds
    /// only what a restore reads. A failure to remove is logged, not raised (the backup itself is complete).
    /// </summary>
    public static async Task RemoveCheckpointAsync(IExternalStorage storage, Microsoft.Extensions.Logging.ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await BackupCheckpoint.DeleteAsync(storage, cancellationToken).ConfigureAwait(false);
            ResumeLog.CheckpointRemoved(logger, storage.Uri);
        }
        catch (Exception e) when (e is StorageException or IOException)
        {
            ResumeLog.CheckpointRemoveFailed(logger, storage.Uri, JobErrors.OneLine(e.Message));
        }
    }

    private static bool Inside(byte[] start, byte[] end, KeyRange range)
    {
        if (start.AsSpan().SequenceCompareTo(range.Start) < 0)
        {
            return false;
        }

        if (range.End.Length == 0)
        {
            return true;
        }

        return end.Length != 0 && end.AsSpan().SequenceCompareTo(range.End) <= 0;
    }
}
