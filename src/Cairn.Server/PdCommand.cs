using System.CommandLine;
using System.Globalization;
using System.Net;
using Cairn.Hosting;
using Cairn.Pd;
using Microsoft.Extensions.Logging;

namespace Cairn.Server;

/// <summary><c>cairn pd</c>: runs a placement driver until SIGTERM or Ctrl-C.</summary>
internal static class PdCommand
{
    public static Command Create()
    {
        var addr = StringOption("--addr", "gRPC listen address (host:port). Default 127.0.0.1:2379.");
        var dataDir = StringOption("--data-dir", "Directory of pd's metadata (required).");
        var httpAddr = StringOption("--http-addr", "HTTP admin API listen address. Default: the gRPC port + 1.");
        var name = StringOption("--name", "Member name reported to clients. Default pd.");
        var gcLifeTime = StringOption("--gc-life-time", "How long old versions are kept before GC may drop them, e.g. 10m. Default 10m.");
        var gcInterval = StringOption("--gc-run-interval", "How often the GC safepoint is advanced, e.g. 1m. Default 1m.");
        var disconnect = StringOption("--store-disconnect-time", "Silence after which a store is Disconnected. Default 20s.");
        var down = StringOption("--store-down-time", "Silence after which a store is Down. Default 30m.");
        var operatorTimeout = StringOption("--operator-timeout", "Time a region move may take before it times out. Default 10m.");
        var scheduleInterval = StringOption("--schedule-interval", "How often operators and schedulers are checked. Default 1s.");
        var maxGapResetTs = StringOption("--max-gap-reset-ts", "How far ahead of now admin/reset-ts may move timestamps. Default 24h.");
        var clusterVersion = StringOption("--cluster-version", "Cluster version reported by the HTTP API. Default 5.1.0.");
        var logLevel = StringOption("--log-level", $"Log to stderr at this level: {LogLevels.Choices}. Default warn.");
        var allowedCn = TlsFlags.AllowedCommonNames();

        var command = new Command("pd", "Run the placement driver (timestamps, IDs, stores, regions, scatter, GC safepoints).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        foreach (var option in new[] { addr, dataDir, httpAddr, name, gcLifeTime, gcInterval, disconnect, down, operatorTimeout, scheduleInterval, maxGapResetTs, clusterVersion, logLevel })
        {
            command.Options.Add(option);
        }

        command.Options.Add(allowedCn);

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.UnmatchedTokens.Count > 0)
            {
                return Usage($"unrecognized argument(s): {string.Join(' ', parse.UnmatchedTokens)}");
            }

            var defaults = new PdServerOptions();
            try
            {
                var options = defaults with
                {
                    EndPoint = ParseEndPoint("--addr", Value(parse, addr) ?? "127.0.0.1:2379"),
                    HttpEndPoint = Value(parse, httpAddr) is { } h ? ParseEndPoint("--http-addr", h) : null,
                    DataDir = Value(parse, dataDir) ?? throw new CliUsageException("--data-dir is required"),
                    Name = Value(parse, name) ?? defaults.Name,
                    GcLifeTime = Duration(parse, gcLifeTime, defaults.GcLifeTime),
                    GcRunInterval = Duration(parse, gcInterval, defaults.GcRunInterval),
                    StoreDisconnectTime = Duration(parse, disconnect, defaults.StoreDisconnectTime),
                    StoreDownTime = Duration(parse, down, defaults.StoreDownTime),
                    OperatorTimeout = Duration(parse, operatorTimeout, defaults.OperatorTimeout),
                    ScheduleInterval = Duration(parse, scheduleInterval, defaults.ScheduleInterval),
                    MaxGapResetTs = Duration(parse, maxGapResetTs, defaults.MaxGapResetTs),
                    ClusterVersion = Value(parse, clusterVersion) ?? defaults.ClusterVersion,
                    Tls = TlsFlags.Read(parse, allowedCn),
                };
                options.Validate();
                var level = ParseLogLevel(Value(parse, logLevel) ?? "warn");
                return await RunAsync(options, level, cancellationToken).ConfigureAwait(false);
            }
            catch (CliUsageException e)
            {
                return Usage(e.Message);
            }
            catch (ArgumentException e)
            {
                return Usage(e.Message);
            }

            static int Usage(string message) => CliRunner.Usage("cairn pd", message);
        });
        return command;
    }

    private static async Task<int> RunAsync(PdServerOptions options, LogLevel logLevel, CancellationToken cancellationToken)
    {
        // stdout carries only the ready line; logs go to stderr.
        using var loggerFactory = HostLogging.ToStandardError(logLevel);

        // The host owns shutdown: SIGTERM and Ctrl-C stop the server cleanly instead of killing the process.
        using var signals = new ShutdownSignals(cancellationToken);
        cancellationToken = signals.Token;
        PdServer server;
        try
        {
            server = await PdServer.StartAsync(options, loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or Cairn.RocksDb.RocksDbException)
        {
            await Console.Error.WriteLineAsync($"cairn pd: cannot start: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        await using (server.ConfigureAwait(false))
        {
            await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"pd ready: grpc {server.Address} http {server.HttpAddress} cluster-id {server.ClusterId} data-dir {options.DataDir}")).ConfigureAwait(false);
            await Console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // SIGTERM or Ctrl-C: fall through to a clean stop.
            }
        }

        return ExitCodes.Ok;
    }

    private static LogLevel ParseLogLevel(string text) => LogLevels.TryParse(text, out var level)
        ? level
        : throw new CliUsageException($"--log-level: '{text}' is not one of {LogLevels.Choices}");

    private static Option<string?> StringOption(string name, string description) => new(name)
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static string? Value(ParseResult parse, Option<string?> option)
    {
        var result = parse.GetResult(option);
        if (result is null)
        {
            return null;
        }

        var value = parse.GetValue(option);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new CliUsageException($"{option.Name} needs a value");
        }

        return value;
    }

    private static TimeSpan Duration(ParseResult parse, Option<string?> option, TimeSpan fallback)
    {
        var text = Value(parse, option);
        if (text is null)
        {
            return fallback;
        }

        return TryParseDuration(text, out var value)
            ? value
            : throw new CliUsageException($"{option.Name}: '{text}' is not a duration (e.g. 500ms, 30s, 10m, 1h30m)");
    }

    private static IPEndPoint ParseEndPoint(string flag, string text)
    {
        var value = text.Contains("://", StringComparison.Ordinal) ? text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..].TrimEnd('/') : text;
        if (value.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
        {
            value = "127.0.0.1" + value["localhost".Length..];
        }

        if (IPEndPoint.TryParse(value, out var endPoint) && value.Contains(':', StringComparison.Ordinal))
        {
            return endPoint;
        }

        throw new CliUsageException($"{flag}: '{text}' is not an IP:port address");
    }

    /// <summary>Durations written as Go and PD write them: <c>500ms</c>, <c>30s</c>, <c>10m</c>, <c>1h30m</c>.</summary>
    internal static bool TryParseDuration(string text, out TimeSpan value) => Cairn.Common.GoDuration.TryParse(text, out value);
}
