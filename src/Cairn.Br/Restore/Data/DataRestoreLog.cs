using Microsoft.Extensions.Logging;

namespace Cairn.Br.Restore.Data;

/// <summary>The data restore's log lines (event IDs 7200–7299).</summary>
internal static partial class DataRestoreLog
{
    [LoggerMessage(EventId = 7200, Level = LogLevel.Information, Message = "restoring data: {Files} files in {Groups} file groups, {Ranges} ranges of {Tables} tables, concurrency {Concurrency}")]
    public static partial void Started(ILogger logger, long files, int groups, int ranges, int tables, int concurrency);

    [LoggerMessage(EventId = 7201, Level = LogLevel.Debug, Message = "split at {Keys} keys, {Regions} new regions")]
    public static partial void Split(ILogger logger, int keys, int regions);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Debug, Message = "{Regions} regions scattered in {ElapsedMs} ms")]
    public static partial void Scattered(ILogger logger, int regions, long elapsedMs);

    [LoggerMessage(EventId = 7203, Level = LogLevel.Information, Message = "pd could not scatter {Failed} of {Regions} new regions; they take their data where they are")]
    public static partial void ScatterRefused(ILogger logger, int failed, int regions);

    [LoggerMessage(EventId = 7204, Level = LogLevel.Warning, Message = "scattering {Regions} new regions failed ({Error}); they take their data where they are")]
    public static partial void ScatterFailed(ILogger logger, int regions, string error);

    [LoggerMessage(EventId = 7205, Level = LogLevel.Warning, Message = "{Waiting} of {Regions} new regions were still being scattered after {Seconds} s; restoring into them as they are")]
    public static partial void ScatterWaitExceeded(ILogger logger, int waiting, int regions, long seconds);

    [LoggerMessage(EventId = 7206, Level = LogLevel.Debug, Message = "{Mode} mode sent to {Stores} stores")]
    public static partial void ModeSwitched(ILogger logger, string mode, int stores);

    [LoggerMessage(EventId = 7207, Level = LogLevel.Warning, Message = "import mode could not be set on {Target}: {Error}; the restore goes on, slower there")]
    public static partial void ImportModeFailed(ILogger logger, string target, string error);

    [LoggerMessage(EventId = 7208, Level = LogLevel.Warning, Message = "normal mode could not be set on {Target}: {Error}; it returns to normal mode by itself when its import-mode TTL runs out")]
    public static partial void NormalModeFailed(ILogger logger, string target, string error);

    [LoggerMessage(EventId = 7209, Level = LogLevel.Debug, Message = "{Files} in region {RegionId}: {Reason}; retrying")]
    public static partial void RegionRetry(ILogger logger, string files, ulong regionId, string reason);

    [LoggerMessage(EventId = 7210, Level = LogLevel.Debug, Message = "{Files} ingested into region {RegionId} ({Ssts} SSTs)")]
    public static partial void Ingested(ILogger logger, string files, ulong regionId, int ssts);

    [LoggerMessage(EventId = 7211, Level = LogLevel.Information, Message = "data restored: {Ranges} ranges, {Files} files, {Kvs} kvs, {Bytes} bytes in {ElapsedMs} ms")]
    public static partial void Finished(ILogger logger, long ranges, long files, ulong kvs, ulong bytes, long elapsedMs);

    [LoggerMessage(EventId = 7212, Level = LogLevel.Information, Message = "download speed limit {BytesPerSecond} bytes/s set on {Stores} stores")]
    public static partial void SpeedLimitSet(ILogger logger, ulong bytesPerSecond, int stores);

    [LoggerMessage(EventId = 7213, Level = LogLevel.Debug, Message = "table {Database}.{Table} (id {TableId}) restored: {Files} files, {Kvs} kvs")]
    public static partial void TableDone(ILogger logger, string database, string table, long tableId, long files, ulong kvs);
}
