using Microsoft.Extensions.Logging;

namespace Cairn.Br.Backup;

/// <summary>Log events of resuming a checkpointed backup (7220–7239).</summary>
internal static partial class ResumeLog
{
    [LoggerMessage(EventId = 7220, Level = LogLevel.Information, Message = "backup to {Storage} resumes from its checkpoint: backup ts {BackupTs}, service safepoint {ServiceId}, {Pieces} pieces already done ({DamagedSegments} damaged segments ignored)")]
    public static partial void Resuming(ILogger logger, string storage, ulong backupTs, string serviceId, int pieces, int damagedSegments);

    [LoggerMessage(EventId = 7221, Level = LogLevel.Information, Message = "resumed backup plan: {Reused} pieces reused, {Complete} of {Ranges} ranges already complete, {Gaps} gaps left to back up")]
    public static partial void Planned(ILogger logger, int reused, int complete, int ranges, int gaps);

    [LoggerMessage(EventId = 7222, Level = LogLevel.Information, Message = "backup checkpoint removed from {Storage}: backupmeta is written")]
    public static partial void CheckpointRemoved(ILogger logger, string storage);

    [LoggerMessage(EventId = 7223, Level = LogLevel.Warning, Message = "backup checkpoint in {Storage} could not be removed after backupmeta was written (the backup is complete; delete the checkpoint/ folder by hand): {Error}")]
    public static partial void CheckpointRemoveFailed(ILogger logger, string storage, string error);
}
