using Microsoft.Extensions.Logging;

namespace Cairn.Pd.Api;

/// <summary>Log events of pd's HTTP API (ids 50–59 of pd's range, apart from the gRPC side's).</summary>
internal static partial class PdHttpLog
{
    [LoggerMessage(1050, LogLevel.Error, "HTTP {Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, string method, string path, Exception exception);
}
