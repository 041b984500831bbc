using Microsoft.Extensions.Logging;

namespace Cairn.Br.Checkpoint;

/// <summary>Log events of a checkpointed restore (7240–7259).</summary>
internal static partial class RestoreCheckpointLog
{
    [LoggerMessage(EventId = 7240, Level = LogLevel.Information, Message = "restore resumes from the checkpoint in {Location}: {Tables} tables created, {Groups} file groups ingested, {Verified} tables verified by the run before")]
    public static partial void Resuming(ILogger logger, string location, int tables, int groups, int verified);

    [LoggerMessage(EventId = 7241, Level = LogLevel.Information, Message = "restore checkpoint in {Location} removed")]
    public static partial void Removed(ILogger logger, string location);

    [LoggerMessage(EventId = 7242, Level = LogLevel.Warning, Message = "restore checkpoint write to {Location} failed, retried at the next write: {Error}")]
    public static partial void FlushFailed(ILogger logger, string location, string error);

    [LoggerMessage(EventId = 7243, Level = LogLevel.Information, Message = "table {Database}.{Table} created by the run before (id {Id}) is reused")]
    public static partial void TableReused(ILogger logger, string database, string table, long id);

    [LoggerMessage(EventId = 7244, Level = LogLevel.Information, Message = "resumed restore skipped {Groups} file groups and {Verified} table checksums the run before had done")]
    public static partial void Skipped(ILogger logger, int groups, int verified);

    [LoggerMessage(EventId = 7245, Level = LogLevel.Warning, Message = "restore checkpoint in {Location} could not be removed: {Error}")]
    public static partial void RemoveFailed(ILogger logger, string location, string error);
}
