using Microsoft.Extensions.Logging;

namespace Cairn.Store.Backup;

/// <summary>The backup service's log messages (event IDs 2500–2599, and 2620–2629 for the incremental scan).</summary>
internal static partial class BackupLog
{
    [LoggerMessage(EventId = 2500, Level = LogLevel.Information, Message = "Backup request {RequestKind} [{StartKey}, {EndKey}) at {EndVersion} to {Storage}: {Pieces} region pieces")]
    public static partial void Started(ILogger logger, string requestKind, string startKey, string endKey, ulong endVersion, string storage, int pieces);

    [LoggerMessage(EventId = 2501, Level = LogLevel.Information, Message = "Backup request to {Storage} done in {ElapsedMs} ms: {Pieces} pieces ({Failed} answered with an error), {Files} files, {Kvs} kvs, {Bytes} logical bytes, {StoredBytes} stored bytes")]
    public static partial void Finished(ILogger logger, string storage, long elapsedMs, int pieces, int failed, int files, ulong kvs, ulong bytes, ulong storedBytes);

    [LoggerMessage(EventId = 2502, Level = LogLevel.Debug, Message = "Backup of region {RegionId} [{StartKey}, {EndKey}) answered with {Outcome}")]
    public static partial void PieceDone(ILogger logger, ulong regionId, string startKey, string endKey, string outcome);

    [LoggerMessage(EventId = 2503, Level = LogLevel.Warning, Message = "Backup of region {RegionId} failed: {Message}")]
    public static partial void PieceFailed(ILogger logger, ulong regionId, string message, Exception exception);

    [LoggerMessage(EventId = 2504, Level = LogLevel.Information, Message = "Backup request to {Storage} cancelled after {ElapsedMs} ms; files of unanswered pieces removed")]
    public static partial void Cancelled(ILogger logger, string storage, long elapsedMs);

    [LoggerMessage(EventId = 2505, Level = LogLevel.Warning, Message = "Could not remove {Path} from {Storage} after an unfinished backup: {Message}")]
    public static partial void CleanupFailed(ILogger logger, string path, string storage, string message);

    [LoggerMessage(EventId = 2506, Level = LogLevel.Warning, Message = "Backup request refused: {Message}")]
    public static partial void Refused(ILogger logger, string message);

    [LoggerMessage(EventId = 2620, Level = LogLevel.Information, Message = "Incremental backup from {StartVersion}: the delta scans of {Pieces} pieces read {FilesRead} write-CF SST files ({BytesRead} bytes) and skipped {FilesSkipped} ({BytesSkipped} bytes) holding no version after the start; {FilesWithoutProperties} files read had no MVCC properties")]
    public static partial void DeltaScanned(ILogger logger, ulong startVersion, long pieces, long filesRead, long bytesRead, long filesSkipped, long bytesSkipped, long filesWithoutProperties);
}
