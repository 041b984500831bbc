using Cairn.Rpc.Pdpb;
using Microsoft.Extensions.Logging;

namespace Cairn.Pd;

internal static partial class PdLog
{
    [LoggerMessage(1001, LogLevel.Information, "pd serving gRPC at {GrpcAddress} and HTTP at {HttpAddress}, cluster id {ClusterId}")]
    public static partial void Started(ILogger logger, string grpcAddress, string httpAddress, ulong clusterId);

    [LoggerMessage(1002, LogLevel.Debug, "ignored stale heartbeat of region {RegionId} (version {Version}, conf_ver {ConfVer}; pd has {KnownVersion}/{KnownConfVer})")]
    public static partial void StaleRegion(ILogger logger, ulong regionId, ulong version, ulong confVer, ulong knownVersion, ulong knownConfVer);

    [LoggerMessage(1003, LogLevel.Information, "operator {Desc} created: region {RegionId} from store {Source} to store {Target}")]
    public static partial void OperatorCreated(ILogger logger, string desc, ulong regionId, ulong source, ulong target);

    [LoggerMessage(1004, LogLevel.Information, "operator {Desc} of region {RegionId} finished: {Status}")]
    public static partial void OperatorFinished(ILogger logger, string desc, ulong regionId, OperatorStatus status);

    [LoggerMessage(1005, LogLevel.Information, "store {StoreId} has no regions left and is now tombstone")]
    public static partial void StoreTombstone(ILogger logger, ulong storeId);

    [LoggerMessage(1006, LogLevel.Warning, "background round failed")]
    public static partial void BackgroundFailed(ILogger logger, Exception exception);

    [LoggerMessage(1007, LogLevel.Debug, "could not send an instruction to store {StoreId}")]
    public static partial void DispatchFailed(ILogger logger, ulong storeId, Exception exception);

    [LoggerMessage(1008, LogLevel.Information, "GC safepoint advanced to {SafePoint}")]
    public static partial void GcAdvanced(ILogger logger, ulong safePoint);
}
