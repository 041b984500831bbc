namespace Cairn.Br.Metadata;

/// <summary>
/// What identifies a checkpointed backup: the cluster, the snapshot (and incremental base), a fingerprint of the job
/// (filter, ranges, options that change the result) and the service GC safepoint that keeps the snapshot readable.
/// A resume compares these with the new run's.
/// </summary>
public sealed record BackupCheckpointHeader(ulong ClusterId, ulong BackupTs, ulong LastBackupTs, string Fingerprint, string SafePointId);
