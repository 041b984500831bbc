using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Cairn.Hosting;

/// <summary>
/// The one logging setup of Cairn's executables: single-line UTC-stamped records, to standard error (servers, whose
/// standard output carries only their ready line) or to a file (tools, whose console is kept for progress and the
/// summary). Framework categories (<c>Microsoft.*</c>: Kestrel, hosting) log warnings and worse only.
/// </summary>
public static class HostLogging
{
    /// <summary>The timestamp format of every record.</summary>
    public const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";

    /// <summary>A factory logging at <paramref name="level"/> and above to standard error.</summary>
    public static ILoggerFactory ToStandardError(LogLevel level) => LoggerFactory.Create(builder => Configure(builder, level)
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = TimestampFormat;
            o.UseUtcTimestamp = true;
        })
        .Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace));

    /// <summary>
    /// A factory logging at <paramref name="level"/> and above to <paramref name="path"/> (appended to; its folder is
    /// created). The file is closed when the factory is disposed.
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static ILoggerFactory ToFile(string path, LogLevel level)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var provider = new FileLoggerProvider(path);
        return LoggerFactory.Create(builder => Configure(builder, level).AddProvider(provider));
    }

    private static ILoggingBuilder Configure(ILoggingBuilder builder, LogLevel level) => builder
        .SetMinimumLevel(level)
        .AddFilter("Microsoft", level > LogLevel.Warning ? level : LogLevel.Warning);
}
