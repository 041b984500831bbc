using System.CommandLine;
using Cairn.Hosting;
using Cairn.Workloads;

namespace Cairn.Server;

/// <summary>
/// <c>cairn workload sysbench --run point-select-update --duration 30s --threads 4</c>: instead of loading, runs a
/// foreground workload on the existing tables (<c>--tables</c>, <c>--rows</c>, <c>--db</c> as loaded) and prints
/// operations, errors and latency percentiles, the last line machine-readable (<c>latency: p50_ms=… p99_ms=…</c>).
/// Exits 1 if every operation failed.
/// </summary>
internal sealed class SysbenchRunOptions
{
    private const string PointSelectUpdate = "point-select-update";

    private readonly Option<string?> _run = new("--run") { Description = $"Run a foreground workload on the existing data set instead of loading it: {PointSelectUpdate}." };
    private readonly Option<string> _duration = new("--duration") { Description = "How long --run runs (Go duration, default 30s).", DefaultValueFactory = _ => "30s" };
    private readonly Option<int> _threads = new("--threads") { Description = "Concurrent loops of --run (default 4).", DefaultValueFactory = _ => 4 };

    private SysbenchRunOptions()
    {
    }

    /// <summary>Adds <c>--run</c>, <c>--duration</c> and <c>--threads</c> to the sysbench command.</summary>
    public static SysbenchRunOptions AddTo(Command sysbench)
    {
        var options = new SysbenchRunOptions();
        sysbench.Options.Add(options._run);
        sysbench.Options.Add(options._duration);
        sysbench.Options.Add(options._threads);
        return options;
    }

    /// <summary>Whether <c>--run</c> was given.</summary>
    public bool IsSet(ParseResult result) => result.GetValue(_run) is not null;

    /// <summary>Checks the values, then runs the workload against the cluster.</summary>
    public Task<int> RunAsync(ParseResult r, Option<string> pd, Option<int> tables, Option<int> rows, Option<string> db, CancellationToken ct)
    {
        var mode = r.GetValue(_run)!;
        if (mode != PointSelectUpdate)
        {
            throw new CliUsageException($"--run: unknown workload '{mode}'; the one there is: {PointSelectUpdate}");
        }

        var duration = TimeArgs.Duration(r.GetValue(_duration), "--duration", minimum: TimeSpan.FromMilliseconds(1));
        var threads = CliArgs.AtLeast(r.GetValue(_threads), "--threads", 1, 1024);
        var tableCount = CliArgs.AtLeast(r.GetValue(tables), "--tables", 1);
        var rowCount = CliArgs.AtLeast(r.GetValue(rows), "--rows", 1);
        var database = CliArgs.Name(r.GetValue(db), "--db");
        return SqlCommands.RunAsync(r, r.GetValue(pd)!, async (catalog, _) =>
        {
            var run = new PointSelectUpdateRun(catalog) { Database = database, Tables = tableCount, Rows = rowCount, Threads = threads, Duration = duration };
            var report = await run.RunAsync(ct).ConfigureAwait(false);
            foreach (var line in report.Lines())
            {
                await Console.Out.WriteLineAsync(line).ConfigureAwait(false);
            }

            if (report.Ops == 0 && report.Errors > 0)
            {
                await Console.Error.WriteLineAsync($"cairn workload sysbench: every operation failed ({report.Errors} errors)").ConfigureAwait(false);
                return CliRunner.Failed;
            }

            return 0;
        }, ct);
    }
}
