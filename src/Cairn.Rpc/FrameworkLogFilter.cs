using Microsoft.Extensions.Logging;

namespace Cairn.Rpc;

/// <summary>
/// The logger factory handed to Kestrel and Grpc.AspNetCore: their own categories log only warnings and errors.
/// Below that they narrate every connection and every non-OK status ("connection closing", "error status code
/// raised"), which our interceptor already records at debug with the method's name; a handler's unexpected
/// exception still reaches the log as Grpc.AspNetCore's error.
/// </summary>
internal sealed class FrameworkLogFilter(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return IsFramework(categoryName) ? new WarningsOnly(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The factory belongs to the program that created the server.
    public void Dispose()
    {
    }

    private static bool IsFramework(string category) =>
        category.StartsWith("Microsoft.", StringComparison.Ordinal) || category.StartsWith("Grpc.", StringComparison.Ordinal);

    private sealed class WarningsOnly(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
