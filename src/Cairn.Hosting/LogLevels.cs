using Microsoft.Extensions.Logging;

namespace Cairn.Hosting;

/// <summary>The one spelling of <c>--log-level</c> that every command of every Cairn executable accepts.</summary>
public static class LogLevels
{
    /// <summary>The accepted words, for help texts and usage errors.</summary>
    public const string Choices = "trace, debug, info, warn, error or none";

    /// <summary>Reads a level (case-insensitive; <c>information</c>, <c>warning</c> and <c>off</c> are accepted too).</summary>
    public static bool TryParse(string text, out LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(text);
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
