using Microsoft.Extensions.Logging;

namespace Cairn.Workloads;

/// <summary>The workloads' log lines (event IDs 9000–9199).</summary>
internal static partial class WorkloadLog
{
    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "bulk load of {Tables} tables staged in {Folder}, start_ts {StartTs}, commit_ts {CommitTs}")]
    public static partial void BulkStarted(ILogger logger, int tables, string folder, ulong startTs, ulong commitTs);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "table {Database}.{Table} encoded: {Rows} rows, {Kvs} kvs, {Files} files of {FileBytes} bytes in {ElapsedMs} ms")]
    public static partial void TableEncoded(ILogger logger, string database, string table, long rows, ulong kvs, int files, long fileBytes, long elapsedMs);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "bulk load imported {Files} files into {Ranges} ranges in {ElapsedMs} ms")]
    public static partial void BulkImported(ILogger logger, long files, long ranges, long elapsedMs);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Warning, Message = "the staging folder {Folder} could not be removed: {Error}; remove it by hand")]
    public static partial void StagingNotRemoved(ILogger logger, string folder, string error);
}
