using Cairn.Rpc.Pdpb;
using Microsoft.Extensions.Logging;

namespace Cairn.Pd;

internal static partial class PdLog
{
    [LoggerMessage(1, LogLevel.Information, "pd serving gRPC at {GrpcAddress} and HTTP at {HttpAddress}, cluster id {ClusterId}")]
    public static partial void Started(ILogger logger, string grpcAddress, string httpAddress, ulong clusterId);

    [LoggerMessage(2, LogLevel.Debug, "ignored stale heartbeat of region {RegionId} (version {Version}, conf_ver {ConfVer}; pd has {KnownVersion}/{KnownConfVer})")]
    public static partial void StaleRegion(ILogger logger, ulong regionId, ulong version, ulong confVer, ulong knownVersion, ulong knownConfVer);

    [LoggerMessage(3, LogLevel.Information, "operator {Desc} created: region {RegionId} from store {Source} to store {Target}")]
    public static partial void OperatorCreated(ILogger logger, string desc, ulong regionId, ulong source, ulong target);

    [LoggerMessage(4, LogLevel.Information, "operator {Desc} of region {RegionId} finished: {Status}")]
    public static partial void OperatorFinished(ILogger logger, string desc, ulong regionId, OperatorStatus status);

    [LoggerMessage(5, LogLevel.Information, "store {StoreId} has no regions left and is now tombstone")]
    public static partial void StoreTombstone(ILogger logger, ulong storeId);

    [LoggerMessage(6, LogLevel.Warning, "background round failed")]
    public static partial void BackgroundFailed(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Debug, "could not send an instruction to store {StoreId}")]
    public static partial void DispatchFailed(ILogger logger, ulong storeId, Exception exception);

    [LoggerMessage(8, LogLevel.Information, "GC safepoint advanced to {SafePoint}")]
    public static partial void GcAdvanced(ILogger logger, ulong safePoint);
}
