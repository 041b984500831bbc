using System.CommandLine;
using Cairn.Hosting;
using Cairn.Store;
using Microsoft.Extensions.Logging;

namespace Cairn.Server;

/// <summary>
/// <c>cairn store --addr HOST:PORT --data-dir DIR [--labels k=v,...] [--pd ADDR] [--backup-threads N] [--sst-max-size SIZE]
/// [--import-mode-timeout D] [--import-concurrency N] [--import-disk-reserve SIZE]</c>: runs one store node until
/// SIGTERM or Ctrl-C, standalone or (with <c>--pd</c>) as a member of pd's cluster. Prints one line on stdout when ready; logs go to stderr. Bad flags exit with 2.
/// </summary>
internal static class StoreCommand
{
    public static Command Create()
    {
        // Every option is a string checked here, so any bad flag (unknown, missing, malformed) exits with 2 and a
        // message that says which, instead of the parser's generic failure.
        var addr = new Option<string>("--addr") { Description = "Address to listen on (IP:port).", DefaultValueFactory = _ => "127.0.0.1:20160" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory of the store's data (required)." };
        var labels = new Option<string?>("--labels") { Description = "Store labels, k=v pairs separated by commas." };
        var pd = new Option<string?>("--pd") { Description = "pd address (e.g. 127.0.0.1:2379): join that cluster; without it the store runs standalone." };
        var syncWrites = new Option<string?>("--sync-writes") { Description = "fsync every data write: true or false (default false).", Arity = ArgumentArity.ZeroOrOne };
        var maxInFlight = new Option<string?>("--max-in-flight") { Description = "Requests served at once before answering ServerIsBusy (default unlimited)." };
        var importModeTimeout = new Option<string?>("--import-mode-timeout") { Description = "Import mode reverts to Normal when not renewed for this long (e.g. 10m, the default)." };
        var importConcurrency = new Option<string?>("--import-concurrency") { Description = "SST downloads run at once (default 8)." };
        var importDiskReserve = new Option<string?>("--import-disk-reserve") { Description = "Free space kept beyond twice a file's size before downloading it (e.g. 1GiB, the default)." };
        var backupThreads = new Option<string?>("--backup-threads") { Description = "Workers for backup requests, shared by all of them (default half the cores, at least 1)." };
        var sstMaxSize = new Option<string?>("--sst-max-size") { Description = "Cut backup files at this size, e.g. 144MiB (default 144MiB)." };
        var allowedCn = TlsFlags.AllowedCommonNames();
        var logLevel = new Option<string?>("--log-level") { Description = $"Log to stderr at this level: {LogLevels.Choices}. Default info." };
        var command = new Command("store", "Run a store node: MVCC transactions and raw KV on RocksDB, served over gRPC.")
        {
            addr, dataDir, labels, pd, syncWrites, maxInFlight, backupThreads, sstMaxSize, importModeTimeout, importConcurrency, importDiskReserve, logLevel, allowedCn,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            if (result.UnmatchedTokens.Count > 0)
            {
                return Usage($"unrecognized argument(s): {string.Join(' ', result.UnmatchedTokens)}");
            }

            var dir = result.GetValue(dataDir);
            if (string.IsNullOrWhiteSpace(dir))
            {
                return Usage("--data-dir is required");
            }

            if (!TryParseLabels(result.GetValue(labels), out var parsedLabels, out var labelError))
            {
                return Usage(labelError);
            }

            var sync = false;
            if (result.GetResult(syncWrites) is not null)
            {
                var text = result.GetValue(syncWrites);
                if (text is not null && !bool.TryParse(text, out sync))
                {
                    return Usage($"--sync-writes takes true or false, got '{text}'");
                }

                sync = text is null || sync;
            }

            int? limit = null;
            if (result.GetValue(maxInFlight) is { } limitText)
            {
                if (!int.TryParse(limitText, out var value) || value < 0)
                {
                    return Usage($"--max-in-flight takes a non-negative integer, got '{limitText}'");
                }

                limit = value;
            }

            var importTimeout = TimeSpan.FromMinutes(10);
            if (result.GetValue(importModeTimeout) is { } timeoutText && (!Cairn.Common.GoDuration.TryParse(timeoutText, out importTimeout) || importTimeout <= TimeSpan.Zero))
            {
                return Usage($"--import-mode-timeout takes a positive duration such as 10m or 90s, got '{timeoutText}'");
            }

            var downloads = 8;
            if (result.GetValue(importConcurrency) is { } concurrencyText && (!int.TryParse(concurrencyText, out downloads) || downloads < 1))
            {
                return Usage($"--import-concurrency takes a positive integer, got '{concurrencyText}'");
            }

            var reserve = 1024L * 1024 * 1024;
            if (result.GetValue(importDiskReserve) is { } reserveText && (!Cairn.Common.ByteSize.TryParse(reserveText, out reserve) || reserve < 0))
            {
                return Usage($"--import-disk-reserve takes a size such as 1GiB or 512MiB, got '{reserveText}'");
            }

            var defaults = new StoreNodeOptions { DataDir = "." };
            var threads = defaults.BackupThreads;
            if (result.GetValue(backupThreads) is { } threadsText && (!int.TryParse(threadsText, out threads) || threads < 1))
            {
                return Usage($"--backup-threads takes a positive integer, got '{threadsText}'");
            }

            var sstMax = defaults.SstMaxSize;
            if (result.GetValue(sstMaxSize) is { } sizeText && (!Cairn.Common.ByteSize.TryParse(sizeText, out sstMax) || sstMax < 1))
            {
                return Usage($"--sst-max-size takes a positive size such as 144MiB, got '{sizeText}'");
            }

            var level = LogLevel.Information;
            if (result.GetValue(logLevel) is { } levelText && !LogLevels.TryParse(levelText, out level))
            {
                return Usage($"--log-level takes {LogLevels.Choices}, got '{levelText}'");
            }

            var options = new StoreNodeOptions
            {
                Address = result.GetValue(addr)!,
                DataDir = Path.GetFullPath(dir),
                Labels = parsedLabels,
                SyncWrites = sync,
                MaxInFlightRequests = limit,
                ImportModeTimeout = importTimeout,
                ImportConcurrency = downloads,
                ImportDiskReserve = reserve,
                BackupThreads = threads,
                SstMaxSize = sstMax,
                PdAddress = result.GetValue(pd) is { } pdText ? CliArgs.HostPort(pdText, "--pd", TlsFlags.IsOn(result)) : null,
                Tls = TlsFlags.Read(result, allowedCn),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                return Usage(e.Message);
            }

            return await RunAsync(options, level, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(StoreNodeOptions options, LogLevel level, CancellationToken cancellationToken)
    {
        using var loggerFactory = HostLogging.ToStandardError(level);
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Handle SIGTERM and SIGINT ourselves: cancelling the default action keeps the runtime from tearing the
        // process down (or hanging in a host lifetime) before the engine is closed.
        using var signals = new ShutdownSignals();
        using var onSignal = signals.Token.Register(() => stop.TrySetResult());
        await using var node = new StoreNode(options, loggerFactory);
        try
        {
            await node.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or Cairn.RocksDb.RocksDbException or System.Net.Sockets.SocketException
            or InvalidOperationException or Cairn.Pd.Client.PdException)
        {
            await Console.Error.WriteLineAsync($"cairn store: cannot start: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        await Console.Out.WriteLineAsync($"store {node.StoreId} listening on {node.Address}").ConfigureAwait(false);
        await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        var tombstoned = node.Tombstoned;
        using (cancellationToken.Register(() => stop.TrySetResult()))
        {
            await Task.WhenAny(stop.Task, tombstoned).ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await node.StopAsync(timeout.Token).ConfigureAwait(false);
        if (tombstoned.IsCompleted)
        {
            await Console.Error.WriteLineAsync($"cairn store: pd reports store {node.StoreId} as Tombstone (removed from the cluster); exiting").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        return ExitCodes.Ok;
    }

    private static bool TryParseLabels(string? text, out Dictionary<string, string> labels, out string error)
    {
        labels = new Dictionary<string, string>(StringComparer.Ordinal);
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == part.Length - 1)
            {
                error = $"--labels: '{part}' is not key=value";
                return false;
            }

            if (!labels.TryAdd(part[..eq], part[(eq + 1)..]))
            {
                error = $"--labels: key '{part[..eq]}' is given twice";
                return false;
            }
        }

        return true;
    }

    private static int Usage(string message) => CliRunner.Usage("cairn store", message);
}
