// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
using Microsoft.Extensions.Logging;

namespace Cairn.Bench.Legacy.Internal;

internal static partial class RpcServerLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "gRPC server listening on {Address} with {MethodCount} methods")]
    public static partial void Listening(ILogger logger, string address, int methodCount);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "gRPC server on {Address} stopping")]
    public static partial void Stopping(ILogger logger, string address);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Handler of {Method} failed; answering UNKNOWN")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Call {Method} ended with {Status}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode status, string detail);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "Call {Method} from {Peer} was cancelled by the client")]
    public static partial void ClientCancelled(ILogger logger, string method, string peer);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Rejected request for {Path}: {Reason}")]
    public static partial void Rejected(ILogger logger, string path, string reason);
}
