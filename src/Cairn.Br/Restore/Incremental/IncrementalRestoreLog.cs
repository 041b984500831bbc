using Microsoft.Extensions.Logging;

namespace Cairn.Br.Restore.Incremental;

/// <summary>The log lines of an incremental restore (event IDs 7130–7149).</summary>
internal static partial class IncrementalRestoreLog
{
    [LoggerMessage(EventId = 7130, Level = LogLevel.Information, Message = "incremental restore of ({StartVersion}, {EndVersion}] follows the target's last restore {Storage}; {Jobs} DDL jobs to replay, data written at ts {NewTs}")]
    public static partial void Started(ILogger logger, ulong startVersion, ulong endVersion, string storage, int jobs, ulong newTs);

    [LoggerMessage(EventId = 7131, Level = LogLevel.Information, Message = "replayed DDL job {JobId} (schema version {SchemaVersion}, {Type}): {Query}")]
    public static partial void Replayed(ILogger logger, long jobId, long schemaVersion, string type, string query);

    [LoggerMessage(EventId = 7132, Level = LogLevel.Information, Message = "DDL job {JobId} ({Type}) needs nothing in the target: {Reason}")]
    public static partial void NothingToReplay(ILogger logger, long jobId, string type, string reason);

    [LoggerMessage(EventId = 7133, Level = LogLevel.Information, Message = "restore chain of the target: {Storage} restored, ({StartVersion}, {EndVersion}] from cluster {ClusterId}")]
    public static partial void Recorded(ILogger logger, string storage, ulong startVersion, ulong endVersion, ulong clusterId);

    [LoggerMessage(EventId = 7134, Level = LogLevel.Information, Message = "restoring into existing table {Database}.{Table} (incremental)")]
    public static partial void IntoExisting(ILogger logger, string database, string table);

    [LoggerMessage(EventId = 7135, Level = LogLevel.Information, Message = "checksum of {Database}.{Table} not verified: an incremental backup holds no table checksum")]
    public static partial void ChecksumNotVerifiable(ILogger logger, string database, string table);
}
