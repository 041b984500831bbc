using Microsoft.Extensions.Logging;

namespace Cairn.Rpc;

internal static partial class RpcServerLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "gRPC server listening on {Address} with {ServiceCount} services")]
    public static partial void Listening(ILogger logger, string address, int serviceCount);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "gRPC server on {Address} stopping")]
    public static partial void Stopping(ILogger logger, string address);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Call {Method} ended with {Status}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode status, string detail);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "Call {Method} from {Peer} ended because the client went away or the deadline passed")]
    public static partial void ClientGone(ILogger logger, string method, string peer);
}
