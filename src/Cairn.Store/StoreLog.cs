using Microsoft.Extensions.Logging;

namespace Cairn.Store;

/// <summary>The store's log messages.</summary>
internal static partial class StoreLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Store {StoreId} bootstrapped in {DataDir} with region {RegionId}")]
    public static partial void Bootstrapped(ILogger logger, ulong storeId, string dataDir, ulong regionId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Store {StoreId} opened {DataDir} with {RegionCount} regions")]
    public static partial void Opened(ILogger logger, ulong storeId, string dataDir, int regionCount);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Store {StoreId} serving on {Address}")]
    public static partial void Serving(ILogger logger, ulong storeId, string address);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Store {StoreId} stopping")]
    public static partial void Stopping(ILogger logger, ulong storeId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Region {RegionId} split into {Regions}")]
    public static partial void Split(ILogger logger, ulong regionId, string regions);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Split of region {RegionId} rejected: {Reason}")]
    public static partial void SplitRejected(ILogger logger, ulong regionId, string reason);
}
