using Microsoft.Extensions.Logging;

namespace Cairn.Br.Restore;

/// <summary>The restore job's log lines (event IDs 7100–7199).</summary>
internal static partial class RestoreLog
{
    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "restore started: {Kind} from {Storage}, backup ts {BackupTs}, backupmeta v{MetaVersion}, concurrency {Concurrency}")]
    public static partial void Started(ILogger logger, string kind, string storage, ulong backupTs, int metaVersion, int concurrency);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "restore plan: {Databases} databases, {Tables} tables, {Views} views, {Files} files selected from the backup")]
    public static partial void Planned(ILogger logger, int databases, int tables, int views, long files);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "created {Databases} databases and {Tables} tables and views in {ElapsedMs} ms")]
    public static partial void Created(ILogger logger, int databases, int tables, long elapsedMs);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "pd's TSO advanced past the backup's end version {EndVersion}")]
    public static partial void TsoAdvanced(ILogger logger, ulong endVersion);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Information, Message = "checksum of {Database}.{Table} matches the backup: crc64xor {Crc}, {Kvs} kvs, {Bytes} bytes")]
    public static partial void ChecksumMatched(ILogger logger, string database, string table, ulong crc, ulong kvs, ulong bytes);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Information, Message = "checksum of {Database}.{Table} skipped: the backup holds no checksum for it")]
    public static partial void ChecksumSkipped(ILogger logger, string database, string table);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Warning, Message = "dropped {Database}.{Table}, created by this restore, after the restore failed")]
    public static partial void DroppedAfterFailure(ILogger logger, string database, string table);

    [LoggerMessage(EventId = 7107, Level = LogLevel.Error, Message = "could not drop {Database}.{Table}, created by this restore, after the restore failed: {Error}; drop it by hand")]
    public static partial void DropFailed(ILogger logger, string database, string table, string error);

    [LoggerMessage(EventId = 7108, Level = LogLevel.Information, Message = "{Kind} restore success summary: total-tables={Tables}, total-ranges={Ranges}, total-files={Files}, total-take={TotalTake}, restore-checksum={ChecksumDuration}, BackupTS={BackupTs}, total-kv={TotalKvs}, total-kv-size={TotalBytes}, average-speed={Speed}")]
    public static partial void SuccessSummary(ILogger logger, string kind, int tables, long ranges, long files, TimeSpan totalTake, TimeSpan checksumDuration, ulong backupTs, ulong totalKvs, string totalBytes, string speed);

    [LoggerMessage(EventId = 7109, Level = LogLevel.Error, Message = "{Kind} restore failed summary: total-tables={Tables}, tables-created={Created}, tables-restored={Restored}, total-ranges={Ranges}, total-files={Files}, total-take={TotalTake}, BackupTS={BackupTs}, total-kv={TotalKvs}, tables-failed=[{TablesFailed}], error={Error}")]
    public static partial void FailedSummary(ILogger logger, string kind, int tables, int created, int restored, long ranges, long files, TimeSpan totalTake, ulong backupTs, ulong totalKvs, string tablesFailed, string error);

    [LoggerMessage(EventId = 7110, Level = LogLevel.Information, Message = "restore cancelled: {Storage}")]
    public static partial void Cancelled(ILogger logger, string storage);

    [LoggerMessage(EventId = 7111, Level = LogLevel.Information, Message = "restoring into existing empty table {Database}.{Table}")]
    public static partial void UsingExistingTable(ILogger logger, string database, string table);
}
