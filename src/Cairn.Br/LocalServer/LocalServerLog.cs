using Microsoft.Extensions.Logging;

namespace Cairn.Br.LocalServer;

/// <summary>The local backup server's log lines (event IDs 7400–7419). No line carries the job's token.</summary>
internal static partial class LocalServerLog
{
    [LoggerMessage(EventId = 7400, Level = LogLevel.Information, Message = "local backup server serving {Folder} at {Endpoint} for this job (stores upload to and download from it)")]
    public static partial void Started(ILogger logger, string folder, string endpoint);

    [LoggerMessage(EventId = 7401, Level = LogLevel.Information, Message = "local backup server at {Endpoint} stopped: {Uploads} uploads ({UploadBytes} bytes), {Downloads} downloads ({DownloadBytes} bytes), {Refused} requests refused")]
    public static partial void Stopped(ILogger logger, string endpoint, long uploads, long uploadBytes, long downloads, long downloadBytes, long refused);

    [LoggerMessage(EventId = 7402, Level = LogLevel.Debug, Message = "local backup server: {Method} {Path} from {Remote}: {Status} ({Bytes} bytes)")]
    public static partial void Served(ILogger logger, string method, string path, string remote, int status, long bytes);

    [LoggerMessage(EventId = 7403, Level = LogLevel.Warning, Message = "local backup server: {Method} {Path} from {Remote} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string path, string remote, string reason);

    [LoggerMessage(EventId = 7404, Level = LogLevel.Debug, Message = "local backup server: {Method} {Path} from {Remote} broke off: {Reason}")]
    public static partial void BrokenOff(ILogger logger, string method, string path, string remote, string reason);

    [LoggerMessage(EventId = 7405, Level = LogLevel.Error, Message = "local backup server: {Method} {Path} from {Remote} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string method, string path, string remote, string reason);
}
