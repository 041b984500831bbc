namespace Cairn.Br.Metadata;

/// <summary>
/// What identifies a checkpointed backup: the cluster, the snapshot (and incremental base), a fingerprint of the job
/// (filter, ranges, options that change the result) and the service GC safepoint that keeps the snapshot readable.
/// A resume compares these with the new run's.
/// </summary>
public sealed record BackupCheckpointHeader(ulong ClusterId, ulong BackupTs, ulong LastBackupTs, string Fingerprint, string SafePointId)
{
    /// <summary>
    /// Why a new run with these settings cannot resume this checkpoint, as one line for the user, or null when it can.
    /// The backup timestamp and safepoint are not compared: a resume takes them from the checkpoint.
    /// </summary>
    public string? ResumeMismatch(ulong clusterId, ulong lastBackupTs, string fingerprint)
    {
        if (clusterId != ClusterId)
        {
            return $"the checkpoint belongs to cluster {ClusterId}, not {clusterId}";
        }
        if (lastBackupTs != LastBackupTs)
        {
            return $"the checkpoint is of a backup with --lastbackupts {LastBackupTs}, not {lastBackupTs}";
        }
        if (!string.Equals(fingerprint, Fingerprint, StringComparison.Ordinal))
        {
            return $"the checkpoint is of a different job (it was started with {Fingerprint}, this run has {fingerprint})";
        }
        return null;
    }
}
