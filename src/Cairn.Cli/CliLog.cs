using Microsoft.Extensions.Logging;

namespace Cairn.Cli;

/// <summary>The br executable's log records (event IDs 7500–7999, docs/conventions.md).</summary>
internal static partial class CliLog
{
    [LoggerMessage(EventId = 7500, Level = LogLevel.Information, Message = "br {Version} starting {Command}: pd {Pd}, storage {Storage}")]
    public static partial void Starting(ILogger logger, string version, string command, string pd, string storage);

    [LoggerMessage(EventId = 7501, Level = LogLevel.Information, Message = "job options: {Options}")]
    public static partial void Options(ILogger logger, string options);

    [LoggerMessage(EventId = 7502, Level = LogLevel.Information, Message = "status listener on {Url}")]
    public static partial void StatusListening(ILogger logger, string url);

    [LoggerMessage(EventId = 7505, Level = LogLevel.Error, Message = "br failed: {Code}: {Error}")]
    public static partial void Failed(ILogger logger, string code, string error, Exception exception);

    [LoggerMessage(EventId = 7506, Level = LogLevel.Warning, Message = "{Subject} cancelled by a signal")]
    public static partial void Cancelled(ILogger logger, string subject);

    [LoggerMessage(EventId = 7507, Level = LogLevel.Warning, Message = "a second signal: exiting at once")]
    public static partial void SecondSignal(ILogger logger);
}
