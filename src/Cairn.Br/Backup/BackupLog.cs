using Microsoft.Extensions.Logging;

namespace Cairn.Br.Backup;

/// <summary>The backup job's log lines (event IDs 7000–7299).</summary>
internal static partial class BackupLog
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "backup started: {Kind} to {Storage} at backup ts {BackupTs}, last backup ts {LastBackupTs}, concurrency {Concurrency}")]
    public static partial void Started(ILogger logger, string kind, string storage, ulong backupTs, ulong lastBackupTs, int concurrency);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "service safepoint {ServiceId} set at {SafePoint} with TTL {TtlSeconds} s")]
    public static partial void SafePointRegistered(ILogger logger, string serviceId, ulong safePoint, long ttlSeconds);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "service safepoint {ServiceId} removed")]
    public static partial void SafePointRemoved(ILogger logger, string serviceId);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "service safepoint {ServiceId} could not be removed (it expires with its TTL): {Error}")]
    public static partial void SafePointRemoveFailed(ILogger logger, string serviceId, string error);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "store {StoreId} ({Address}) skipped during push-down of {Range}: {Reason}; its regions are retried at their leaders")]
    public static partial void StoreSkipped(ILogger logger, ulong storeId, string address, string range, string reason);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Debug, Message = "fine-grained backup round {Round} of {Range}: {Gaps} gaps, backing off {BackoffMs} ms ({SpentMs} ms of the budget spent)")]
    public static partial void FineGrainedRound(ILogger logger, int round, string range, int gaps, long backoffMs, long spentMs);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Debug, Message = "lock of txn {LockTs} on key {Key} resolved at backup ts {BackupTs}")]
    public static partial void LockResolved(ILogger logger, ulong lockTs, string key, ulong backupTs);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Debug, Message = "range {Range} backed up: {Pieces} pieces, {Files} files, {Kvs} kvs")]
    public static partial void RangeDone(ILogger logger, string range, int pieces, int files, ulong kvs);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Debug, Message = "checksum of {Table}: crc64xor {Crc64Xor}, {Kvs} kvs, {Bytes} bytes")]
    public static partial void TableChecksum(ILogger logger, string table, ulong crc64xor, ulong kvs, ulong bytes);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Information, Message = "{Kind} backup success summary: total-ranges={TotalRanges}, ranges-succeed={RangesSucceeded}, ranges-failed={RangesFailed}, backup-checksum={ChecksumDuration}, backup-total-ranges={TotalRanges}, backup-total-regions={TotalRegions}, total-take={TotalTake}, BackupTS={BackupTs}, total-kv={TotalKvs}, total-kv-size={TotalBytes}, average-speed={Speed}, backup data size(after compressed)={BackupSize}, files={Files}")]
    public static partial void SuccessSummary(ILogger logger, string kind, int totalRanges, int rangesSucceeded, int rangesFailed, TimeSpan checksumDuration, long totalRegions, TimeSpan totalTake, ulong backupTs, long totalKvs, string totalBytes, string speed, string backupSize, long files);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Error, Message = "{Kind} backup failed summary: total-ranges={TotalRanges}, ranges-succeed={RangesSucceeded}, ranges-failed={RangesFailed}, backup-total-regions={TotalRegions}, total-take={TotalTake}, BackupTS={BackupTs}, total-kv={TotalKvs}, total-kv-size={TotalBytes}, backup data size(after compressed)={BackupSize}, files={Files}, error={Error}")]
    public static partial void FailedSummary(ILogger logger, string kind, int totalRanges, int rangesSucceeded, int rangesFailed, long totalRegions, TimeSpan totalTake, ulong backupTs, long totalKvs, string totalBytes, string backupSize, long files, string error);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Information, Message = "written to {Storage} before the job stopped: {Name} ({Size} bytes, {Cf}, range {Range})")]
    public static partial void FileWrittenSoFar(ILogger logger, string storage, string name, ulong size, string cf, string range);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Error, Message = "service safepoint {ServiceId} lost: {Reason}")]
    public static partial void SafePointLost(ILogger logger, string serviceId, string reason);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Warning, Message = "checkpoint flush to {Storage} failed, retried at the next flush: {Error}")]
    public static partial void CheckpointFlushFailed(ILogger logger, string storage, string error);

    [LoggerMessage(EventId = 7014, Level = LogLevel.Information, Message = "backup to {Storage} cancelled: backup.lock and the checkpoint are kept, no backupmeta was written")]
    public static partial void Cancelled(ILogger logger, string storage);

    [LoggerMessage(EventId = 7015, Level = LogLevel.Information, Message = "backup plan: {Tables} tables, {Ranges} ranges, {Regions} regions")]
    public static partial void Planned(ILogger logger, int tables, int ranges, long regions);

    [LoggerMessage(EventId = 7016, Level = LogLevel.Debug, Message = "retrying {Range} at store {StoreId}: {Reason}")]
    public static partial void FineGrainedRetry(ILogger logger, string range, ulong storeId, string reason);

    [LoggerMessage(EventId = 7017, Level = LogLevel.Debug, Message = "service safepoint {ServiceId} refreshed")]
    public static partial void SafePointRefreshed(ILogger logger, string serviceId);
}
