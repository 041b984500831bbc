using Microsoft.Extensions.Logging;

namespace Cairn.Server;

/// <summary>The one spelling of <c>--log-level</c> that every server command accepts.</summary>
internal static class LogLevels
{
    public const string Choices = "trace, debug, info, warn, error or none";

    public static bool TryParse(string text, out LogLevel level)
    {
        level = text.ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" or "information" => LogLevel.Information,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "none" or "off" => LogLevel.None,
            _ => (LogLevel)(-1),
        };
        return level >= LogLevel.Trace;
    }
}
