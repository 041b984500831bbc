using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Cairn.Hosting;
using Cairn.Workloads;

namespace Cairn.Server;

/// <summary>
/// <c>cairn workload sysbench|bank|catalog-zoo --pd ADDR [--verify-only] …</c>: loads a workload's data set (and for
/// bank, runs transfers), then verifies it. <c>--verify-only</c> only checks an existing data set (after a restore).
/// Exit codes: 0 verified, 1 verification or cluster failure, 2 bad usage.
/// </summary>
internal static class WorkloadCommand
{
    public static Command Create()
    {
        var command = new Command("workload", "Load and verify test data sets.");
        {
            var pd = new Option<string>("--pd") { Description = "pd address (host:port).", Required = true };
            var tables = new Option<int>("--tables") { Description = "Number of tables (default 4).", DefaultValueFactory = _ => 4 };
            var rows = new Option<int>("--rows") { Description = "Rows per table (default 10000).", DefaultValueFactory = _ => 10_000 };
            var batch = new Option<int>("--batch") { Description = "Rows per load transaction (default 2000).", DefaultValueFactory = _ => 2_000 };
            var db = new Option<string>("--db") { Description = "Database (default sbtest).", DefaultValueFactory = _ => "sbtest" };
            var verifyOnly = new Option<bool>("--verify-only") { Description = "Only verify an existing data set." };
            var mutate = new Option<string?>("--mutate") { Description = "Change PERCENT of the rows of an existing data set (a third each updated, deleted, inserted), then verify." };
            var bulk = BulkLoadRun.Option();
            var sysbench = new Command("sysbench", "N tables × M rows of ~200 bytes with a secondary index.") { pd, tables, rows, batch, db, verifyOnly, mutate, bulk };
            var run = SysbenchRunOptions.AddTo(sysbench);
            sysbench.SetAction((r, ct) =>
            {
                if (run.IsSet(r))
                {
                    return run.RunAsync(r, pd, tables, rows, db, ct);
                }

                // Every number is checked before anything connects or creates a table.
                var tableCount = CliArgs.AtLeast(r.GetValue(tables), "--tables", 1);
                var rowCount = CliArgs.AtLeast(r.GetValue(rows), "--rows", 0);
                var batchSize = CliArgs.AtLeast(r.GetValue(batch), "--batch", 1);
                var database = CliArgs.Name(r.GetValue(db), "--db");
                var percent = MutateArgs.Percent(r.GetValue(mutate), r.GetValue(verifyOnly));
                return SqlCommands.RunAsync(r, r.GetValue(pd)!, async (catalog, _) =>
                {
                    var workload = new SysbenchWorkload(catalog) { Database = database, Tables = tableCount, Rows = rowCount, BatchSize = batchSize };
                    if (percent is { } share)
                    {
                        await MutateArgs.RunAsync(new SysbenchMutation(catalog) { Database = database, Tables = tableCount, Percent = share, BatchSize = Math.Min(batchSize, 500) }, ct).ConfigureAwait(false);
                    }
                    else if (!r.GetValue(verifyOnly) && r.GetValue(bulk))
                    {
                        await BulkLoadRun.RunAsync(options => workload.BulkLoadAsync(options, ct)).ConfigureAwait(false);
                    }
                    else if (!r.GetValue(verifyOnly))
                    {
                        var watch = Stopwatch.StartNew();
                        await workload.LoadAsync(ct).ConfigureAwait(false);
                        await Console.Out.WriteLineAsync($"loaded {workload.Tables} × {workload.Rows} rows in {watch.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s").ConfigureAwait(false);
                    }

                    return await ReportAsync(await workload.VerifyAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
                }, ct);
            });
            command.Subcommands.Add(sysbench);
        }

        {
            var pd = new Option<string>("--pd") { Description = "pd address (host:port).", Required = true };
            var accounts = new Option<int>("--accounts") { Description = "Number of accounts (default 100).", DefaultValueFactory = _ => 100 };
            var workers = new Option<int>("--workers") { Description = "Concurrent transfer loops (default 8).", DefaultValueFactory = _ => 8 };
            var transfers = new Option<int>("--transfers") { Description = "Transfers per worker (default 200).", DefaultValueFactory = _ => 200 };
            var db = new Option<string>("--db") { Description = "Database (default bank).", DefaultValueFactory = _ => "bank" };
            var verifyOnly = new Option<bool>("--verify-only") { Description = "Only check the invariant." };
            var bulk = BulkLoadRun.Option();
            var skipLoad = new Option<bool>("--skip-load") { Description = "Transfer on the existing accounts table instead of creating it." };
            var duration = new Option<string?>("--duration") { Description = "Transfer for this long (Go duration: 30s, 5m); --transfers then caps each worker only when given." };
            var at = new Option<string?>("--at") { Description = "Check the invariant at this snapshot TSO (default: the latest)." };
            var bank = new Command("bank", "Concurrent transfers between accounts, then the total-balance invariant check.") { pd, accounts, workers, transfers, db, verifyOnly, bulk, skipLoad, duration, at };
            bank.SetAction((r, ct) =>
            {
                // A transfer needs two distinct accounts; with one, every transfer is a self-transfer.
                var accountCount = CliArgs.AtLeast(r.GetValue(accounts), "--accounts", 2);
                var workerCount = CliArgs.AtLeast(r.GetValue(workers), "--workers", 1);
                var transferCount = CliArgs.AtLeast(r.GetValue(transfers), "--transfers", 1);
                var database = CliArgs.Name(r.GetValue(db), "--db");
                var runFor = r.GetValue(duration) is { } d ? TimeArgs.Duration(d, "--duration", minimum: TimeSpan.FromMilliseconds(1)) : (TimeSpan?)null;
                var atTs = r.GetValue(at) is { } a ? TimeArgs.Timestamp(a, "--at") : 0;
                if (r.GetValue(verifyOnly) && (runFor is not null || r.GetValue(skipLoad)))
                {
                    throw new CliUsageException("--verify-only runs no transfers: it takes neither --duration nor --skip-load");
                }

                if (atTs != 0 && !r.GetValue(verifyOnly))
                {
                    throw new CliUsageException("--at checks a past snapshot: use it with --verify-only");
                }

                var transfersGiven = r.GetResult(transfers) is { Implicit: false };
                return SqlCommands.RunAsync(r, r.GetValue(pd)!, async (catalog, _) =>
                {
                    var workload = new BankWorkload(catalog) { Database = database, Accounts = accountCount };
                    if (!r.GetValue(verifyOnly))
                    {
                        if (!r.GetValue(skipLoad))
                        {
                            await (r.GetValue(bulk) ? BulkLoadRun.RunAsync(options => workload.BulkLoadAsync(options, ct)) : workload.LoadAsync(ct)).ConfigureAwait(false);
                        }

                        if (runFor is { } span)
                        {
                            var result = await workload.RunForAsync(workerCount, span, transfersGiven ? transferCount : null, ct).ConfigureAwait(false);
                            await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                                $"{result.Committed} transfers committed, {result.Conflicts} conflicts retried, {result.GivenUp} given up in {result.Elapsed.TotalSeconds:F1} s: {result.Rate:F1} transfers/s")).ConfigureAwait(false);
                        }
                        else
                        {
                            var done = await workload.RunAsync(workerCount, transferCount, ct).ConfigureAwait(false);
                            await Console.Out.WriteLineAsync($"{done} transfers committed").ConfigureAwait(false);
                        }
                    }

                    return await ReportAsync(await workload.VerifyAsync(atTs == 0 ? null : atTs, ct).ConfigureAwait(false)).ConfigureAwait(false);
                }, ct);
            });
            command.Subcommands.Add(bank);
        }

        {
            var pd = new Option<string>("--pd") { Description = "pd address (host:port).", Required = true };
            var rows = new Option<int>("--rows") { Description = "Rows per table (default 64).", DefaultValueFactory = _ => 64 };
            var db = new Option<string>("--db") { Description = "Database (default zoo).", DefaultValueFactory = _ => "zoo" };
            var verifyOnly = new Option<bool>("--verify-only") { Description = "Only verify an existing zoo." };
            var zoo = new Command("catalog-zoo", "Partitions, views over views, auto_random, clustered keys, long keys, odd names.") { pd, rows, db, verifyOnly };
            zoo.SetAction((r, ct) =>
            {
                var rowCount = CliArgs.AtLeast(r.GetValue(rows), "--rows", 0);
                var database = CliArgs.Name(r.GetValue(db), "--db");
                return SqlCommands.RunAsync(r, r.GetValue(pd)!, async (catalog, _) =>
                {
                    var workload = new CatalogZooWorkload(catalog) { Database = database, Rows = rowCount };
                    if (!r.GetValue(verifyOnly))
                    {
                        await workload.LoadAsync(ct).ConfigureAwait(false);
                        await Console.Out.WriteLineAsync($"loaded {workload.ExpectedRows.Count} tables").ConfigureAwait(false);
                    }

                    return await ReportAsync(await workload.VerifyAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
                }, ct);
            });
            command.Subcommands.Add(zoo);
        }

        command.Subcommands.Add(ManyTablesCommand.Create());
        return command;
    }

    private static async Task<int> ReportAsync(IReadOnlyList<string> problems)
    {
        foreach (var problem in problems)
        {
            await Console.Error.WriteLineAsync("problem: " + problem).ConfigureAwait(false);
        }

        await Console.Out.WriteLineAsync(problems.Count == 0 ? "verified" : $"{problems.Count} problems").ConfigureAwait(false);
        return problems.Count == 0 ? 0 : 1;
    }
}
