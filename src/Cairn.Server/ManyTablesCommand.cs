using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Cairn.Hosting;
using Cairn.Workloads;

namespace Cairn.Server;

/// <summary>
/// <c>cairn workload many-tables --pd ADDR [--count 10000] [--rows 1] [--db many]</c>: creates many tiny tables (for
/// measuring br per table) and prints how long it took.
/// </summary>
internal static class ManyTablesCommand
{
    public static Command Create()
    {
        var pd = new Option<string>("--pd") { Description = "pd address (host:port).", Required = true };
        var count = new Option<int>("--count") { Description = "Number of tables (default 10000).", DefaultValueFactory = _ => 10_000 };
        var rows = new Option<int>("--rows") { Description = "Rows per table (default 1).", DefaultValueFactory = _ => 1 };
        var db = new Option<string>("--db") { Description = "Database (default many).", DefaultValueFactory = _ => "many" };
        var command = new Command("many-tables", "Many tiny tables (id BIGINT PRIMARY KEY, v BIGINT) in one database.") { pd, count, rows, db };
        command.SetAction((r, ct) =>
        {
            var tableCount = CliArgs.AtLeast(r.GetValue(count), "--count", 1, 1_000_000);
            var rowCount = CliArgs.AtLeast(r.GetValue(rows), "--rows", 0, 1_000_000);
            var database = CliArgs.Name(r.GetValue(db), "--db");
            return SqlCommands.RunAsync(r, r.GetValue(pd)!, async (catalog, _) =>
            {
                var watch = Stopwatch.StartNew();
                await new ManyTablesWorkload(catalog) { Database = database, Count = tableCount, RowsPerTable = rowCount }.LoadAsync(null, ct).ConfigureAwait(false);
                await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"created {tableCount} tables of {rowCount} rows in {database} in {watch.Elapsed.TotalSeconds:F1} s")).ConfigureAwait(false);
                return 0;
            }, ct);
        });
        return command;
    }
}
