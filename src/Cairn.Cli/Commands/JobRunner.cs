using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Reflection;
using Cairn.Br;
using Cairn.Cli.Flags;
using Cairn.Cli.Output;
using Cairn.Hosting;
using Cairn.Storage;
using Microsoft.Extensions.Logging;

namespace Cairn.Cli.Commands;

/// <summary>
/// What surrounds one job once its options are checked: the log (a file by default, its path printed first), the
/// status listener, progress bars on standard error, signals (the first cancels the job, a second exits at once), the
/// summary table on standard output whether the job succeeded or failed, and the exit code (0 done, 1 failed or
/// cancelled). A failure ends with one line on standard error: the error and the log's path.
/// </summary>
internal static class JobRunner
{
    /// <summary>Set (to anything) to log to the terminal instead of a file, as in BR.</summary>
    public const string LogToTerminalVariable = "BR_LOG_TO_TERM";

    public static Task<int> RunAsync(ParseResult parse, GlobalFlags global, string command, BackupOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return RunJobAsync(
            parse, global, command, options.Storage, options.PdAddresses, SummaryPrinter.Subject(options.Kind), shown => (options with { Storage = shown }).ToString(),
            (progress, loggers, ct) => BackupJob.RunAsync(options, progress, loggers, ct), (output, title, summary) => SummaryPrinter.Write(output, title, summary), e => e.Summary, cancellationToken);
    }

    /// <summary>
    /// Runs one job (a backup or a restore) inside the log, status listener, progress, signals and summary described
    /// above; <paramref name="failedSummary"/> takes the partial summary a failure carries, if any.
    /// </summary>
    public static async Task<int> RunJobAsync<TSummary>(
        ParseResult parse,
        GlobalFlags global,
        string command,
        string storage,
        IReadOnlyList<string> pd,
        string subject,
        Func<string, string> optionsShown,
        Func<IProgress<BackupProgress>, ILoggerFactory, CancellationToken, Task<TSummary>> job,
        Action<TextWriter, string, TSummary> writeSummary,
        Func<BrException, TSummary?> failedSummary,
        CancellationToken cancellationToken)
        where TSummary : class
    {
        var name = "br " + command;
        var level = global.Level(parse);
        var statusEndPoint = StatusEndPoint(parse.GetValue(global.StatusAddr));
        var toTerminal = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(LogToTerminalVariable));
        var logPath = toTerminal ? null : Path.GetFullPath(parse.GetValue(global.LogFile) ?? DefaultLogPath(DateTimeOffset.Now));
        ILoggerFactory loggerFactory;
        try
        {
            loggerFactory = logPath is null ? HostLogging.ToStandardError(level) : HostLogging.ToFile(logPath, level);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliFailureException($"cannot open the log file {logPath}: {e.Message}; choose another with --log-file", e);
        }

        using (loggerFactory)
        {
            var logger = loggerFactory.CreateLogger("br");
            var logNote = logPath is null ? "" : $" (log: {logPath})";
            if (logPath is not null)
            {
                await Console.Out.WriteLineAsync($"log file: {logPath}").ConfigureAwait(false);
            }

            var storageShown = Redact.Url(storage);
            CliLog.Starting(logger, Version, command, string.Join(',', pd), storageShown);
            CliLog.Options(logger, optionsShown(storageShown));
            var status = new JobStatus(command);
            using var signals = new ShutdownSignals(cancellationToken, onRepeat: () =>
            {
                CliLog.SecondSignal(logger);
                Console.Error.WriteLine($"{name}: cancelled (second signal: exiting at once){logNote}");
                Environment.Exit(ExitCodes.Failed);
            });
            StatusServer? server = null;
            try
            {
                if (statusEndPoint is not null)
                {
                    server = await StartStatusAsync(statusEndPoint, status, signals.Token).ConfigureAwait(false);
                    CliLog.StatusListening(logger, server.Url);
                    await Console.Out.WriteLineAsync($"status: {server.Url}").ConfigureAwait(false);
                }

                using var progress = new ProgressPrinter(Console.Error, terminal: !Console.IsErrorRedirected, status);
                try
                {
                    var summary = await job(progress, loggerFactory, signals.Token).ConfigureAwait(false);
                    progress.Complete();
                    status.Finish("succeeded");
                    writeSummary(Console.Out, subject + " succeeded", summary);
                    return ExitCodes.Ok;
                }
                catch (Exception e) when (signals.IsStopping && e is OperationCanceledException or BrException)
                {
                    // However the engine words the stop, a signal asked for it: the user sees "cancelled".
                    progress.Complete();
                    status.Finish("cancelled");
                    CliLog.Cancelled(logger, subject);
                    if (e is BrException stopped && failedSummary(stopped) is { } partial)
                    {
                        writeSummary(Console.Out, subject + " cancelled", partial);
                    }

                    await Console.Error.WriteLineAsync($"{name}: cancelled{logNote}").ConfigureAwait(false);
                    return ExitCodes.Failed;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    progress.Complete();
                    var message = Redact.Secrets(CliRunner.OneLine(e is BrException or StorageException ? e.Message : $"{e.Message} ({e.GetType().Name})"), global.StorageSettings.Secrets(parse));
                    status.Finish("failed", message);
                    CliLog.Failed(logger, e is BrException br ? br.Code : e.GetType().Name, message, e);
                    if (e is BrException brFailure && failedSummary(brFailure) is { } failed)
                    {
                        writeSummary(Console.Out, subject + " failed", failed);
                    }

                    await Console.Error.WriteLineAsync($"{name}: {message}{logNote}").ConfigureAwait(false);
                    return ExitCodes.Failed;
                }
            }
            finally
            {
                if (server is not null)
                {
                    await server.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>BR's default log path: <c>$TMPDIR/br.log.2024-05-01T08.00.00+0800</c>.</summary>
    public static string DefaultLogPath(DateTimeOffset now)
    {
        var offset = now.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        var stamp = string.Create(CultureInfo.InvariantCulture, $"{now:yyyy-MM-dd'T'HH.mm.ss}{sign}{abs.Hours:00}{abs.Minutes:00}");
        return Path.Combine(Path.GetTempPath(), "br.log." + stamp);
    }

    private static string Version => typeof(JobRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static async Task<StatusServer> StartStatusAsync(IPEndPoint endPoint, JobStatus status, CancellationToken cancellationToken)
    {
        try
        {
            return await StatusServer.StartAsync(endPoint, status, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new CliFailureException($"--status-addr {endPoint}: cannot listen: {e.Message}", e);
        }
    }

    /// <summary><c>--status-addr</c>: an IP address (or localhost) and a port, 0 for any free one.</summary>
    internal static IPEndPoint? StatusEndPoint(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var value = text.Trim();
        var colon = value.LastIndexOf(':');
        var host = colon > 0 ? value[..colon].Trim('[', ']') : "";
        if (colon <= 0 || !int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new CliUsageException($"--status-addr: '{text}' is not host:port (for example 127.0.0.1:9090, or :0 for any port)");
        }

        IPAddress address;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(host, out address!))
        {
            throw new CliUsageException($"--status-addr: '{host}' is not an IP address or localhost");
        }

        return new IPEndPoint(address, port);
    }
}
