using System.CommandLine;
using System.Text;
using System.Text.Json;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Client.Txn;
using Cairn.Hosting;

namespace Cairn.Server;

/// <summary>
/// Catalog commands for people: <c>cairn db ls</c>, <c>cairn table ls|show|count|checksum</c> and
/// <c>cairn ddl …</c>, all against the cluster at <c>--pd ADDR</c>. Table names are <c>DB.T</c>; a part holding a dot
/// is written in backquotes (<c>`my.db`.t</c>). Exit codes: 0 done, 1 failed, 2 bad usage.
/// </summary>
internal static class SqlCommands
{
    private const int Failed = CliRunner.Failed;

    /// <summary>The <c>db</c>, <c>table</c> and <c>ddl</c> commands.</summary>
    public static IEnumerable<Command> Create()
    {
        yield return DbCommand();
        yield return TableCommand();
        yield return DdlCommand();
    }

    /// <summary>Splits <c>DB.T</c> (backquotes protect dots; a doubled backquote is a backquote).</summary>
    public static (string Db, string Table)? ParseQualified(string text)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '`')
            {
                if (quoted && i + 1 < text.Length && text[i + 1] == '`')
                {
                    current.Append('`');
                    i++;
                }
                else
                {
                    quoted = !quoted;
                }
            }
            else if (c == '.' && !quoted)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        parts.Add(current.ToString());
        return parts.Count == 2 && parts[0].Length > 0 && parts[1].Length > 0 && !quoted ? (parts[0], parts[1]) : null;
    }

    private static Option<string> PdOption() => new("--pd") { Description = "pd address (host:port).", Required = true };

    private static Command DbCommand()
    {
        var pd = PdOption();
        var ls = new Command("ls", "List databases.") { pd };
        ls.SetAction((r, ct) => RunAsync(r, r.GetValue(pd)!, async (catalog, _) =>
        {
            foreach (var db in await catalog.ListDatabasesAsync(null, ct).ConfigureAwait(false))
            {
                var tables = await catalog.ListTablesAsync(db.Id, null, ct).ConfigureAwait(false);
                await Console.Out.WriteLineAsync($"{db.Id,6}  {db.Name.O}  ({tables.Count} tables)").ConfigureAwait(false);
            }

            return 0;
        }, ct));
        return new Command("db", "Databases.") { ls };
    }

    private static Command TableCommand()
    {
        var command = new Command("table", "Tables.");
        {
            var pd = PdOption();
            var db = new Argument<string>("DB");
            var ls = new Command("ls", "List the tables and views of a database.") { pd, db };
            ls.SetAction((r, ct) => RunAsync(r, r.GetValue(pd)!, async (catalog, _) =>
            {
                var info = await catalog.GetDatabaseAsync(r.GetValue(db)!, null, ct).ConfigureAwait(false) ?? throw new CatalogException($"unknown database {r.GetValue(db)}");
                foreach (var t in await catalog.ListTablesAsync(info.Id, null, ct).ConfigureAwait(false))
                {
                    var kind = t.IsView ? "view" : t.Partition is not null ? $"table, {t.Partition.Definitions.Count} partitions" : "table";
                    await Console.Out.WriteLineAsync($"{t.Id,6}  {t.Name.O}  ({kind})").ConfigureAwait(false);
                }

                return 0;
            }, ct));
            command.Subcommands.Add(ls);
        }

        command.Subcommands.Add(TableAction("show", "Print a table's schema JSON.", async (catalog, client, db, name, ct) =>
        {
            var info = await catalog.GetTableAsync(db, name, null, ct).ConfigureAwait(false) ?? throw new CatalogException($"unknown table {db}.{name}");
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(info, new JsonSerializerOptions(CatalogJson.Options) { WriteIndented = true })).ConfigureAwait(false);
        }));
        command.Subcommands.Add(TableAction("count", "Count a table's rows.", async (catalog, client, db, name, ct) =>
        {
            var table = await Table.OpenAsync(catalog, db, name, ct).ConfigureAwait(false);
            await Console.Out.WriteLineAsync((await table.CountAsync(null, ct).ConfigureAwait(false)).ToString(System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }));
        command.Subcommands.Add(ChecksumCommand());
        return command;
    }

    // `table checksum DB.T [--at TS] [--as-table-id N]`: the second hashes the table's keys as if they carried table
    // id N, so a restored table (new id) can be compared with the original's checksum at the backup's TS.
    private static Command ChecksumCommand()
    {
        var pd = PdOption();
        var arg = new Argument<string>("DB.T");
        var at = new Option<string?>("--at") { Description = "Snapshot TSO to checksum at (default: the latest)." };
        var asId = new Option<long?>("--as-table-id") { Description = "Hash the keys as if the table's id were this one (compare a restored table with its original; not for partitioned tables)." };
        var command = new Command("checksum", "Checksum a table (crc64xor, total kvs, total bytes) through the coprocessor.") { pd, arg, at, asId };
        command.SetAction((r, ct) =>
        {
            if (ParseQualified(r.GetValue(arg)!) is not { } t)
            {
                return Task.FromResult(Usage($"expected DB.T, got '{r.GetValue(arg)}'"));
            }

            var ts = TimeArgs.Timestamp(r.GetValue(at), "--at");
            var oldId = r.GetValue(asId);
            if (oldId is <= 0)
            {
                throw new CliUsageException($"--as-table-id must be a table id above 0, got {oldId}");
            }

            return RunAsync(r, r.GetValue(pd)!, async (catalog, client) =>
            {
                var checksum = new TableChecksum(client);
                var snapshot = ts != 0 ? ts : (await client.SnapshotAsync(ct).ConfigureAwait(false)).Timestamp;
                var info = await catalog.GetTableAsync(t.Db, t.Table, snapshot, ct).ConfigureAwait(false) ?? throw new CatalogException($"unknown table {t.Db}.{t.Table}");
                if (info.IsView)
                {
                    throw new CatalogException($"{t.Db}.{t.Table} is a view");
                }

                if (oldId is not null && info.Partition is not null)
                {
                    throw new CatalogException($"{t.Db}.{t.Table} is partitioned: --as-table-id maps one table id only");
                }

                var map = oldId is { } id ? new Dictionary<long, long> { [info.Id] = id } : null;
                var sum = await checksum.ChecksumTableAsync(info, snapshot, map, ct).ConfigureAwait(false);
                await Console.Out.WriteLineAsync($"crc64xor {sum.Crc64Xor:x16}  total_kvs {sum.TotalKvs}  total_bytes {sum.TotalBytes}").ConfigureAwait(false);
                return 0;
            }, ct);
        });
        return command;
    }

    private static Command DdlCommand()
    {
        var command = new Command("ddl", "Change the schema.");
        command.Subcommands.Add(NameAction("create-db", "CREATE DATABASE NAME.", (catalog, name, ct) => catalog.CreateDatabaseAsync(name, ct)));
        command.Subcommands.Add(NameAction("drop-db", "DROP DATABASE NAME.", (catalog, name, ct) => catalog.DropDatabaseAsync(name, ct)));
        {
            var pd = PdOption();
            var db = new Argument<string>("DB");
            var file = new Argument<string>("SPEC.json") { Description = "A TableInfo JSON (names, cols with type, index_info, partition, …); ids are assigned." };
            var create = new Command("create-table", "CREATE TABLE in DB from a JSON spec file.") { pd, db, file };
            create.SetAction((r, ct) => RunAsync(r, r.GetValue(pd)!, async (catalog, _) =>
            {
                var spec = CatalogJson.Deserialize<TableInfo>(await File.ReadAllBytesAsync(r.GetValue(file)!, ct).ConfigureAwait(false));
                var info = await catalog.CreateTableAsync(r.GetValue(db)!, spec, ct).ConfigureAwait(false);
                await Console.Out.WriteLineAsync($"created {r.GetValue(db)}.{info.Name.O} id {info.Id}").ConfigureAwait(false);
                return 0;
            }, ct));
            command.Subcommands.Add(create);
        }

        command.Subcommands.Add(TableAction("drop-table", "DROP TABLE DB.T.", (catalog, _, db, name, ct) => catalog.DropTableAsync(db, name, ct)));
        command.Subcommands.Add(TableAction("drop-view", "DROP VIEW DB.V.", (catalog, _, db, name, ct) => catalog.DropViewAsync(db, name, ct)));
        command.Subcommands.Add(TableAction("truncate-table", "TRUNCATE TABLE DB.T.", (catalog, _, db, name, ct) => catalog.TruncateTableAsync(db, name, ct)));
        {
            var pd = PdOption();
            var from = new Argument<string>("DB.T");
            var to = new Argument<string>("DB2.T2");
            var rename = new Command("rename-table", "RENAME TABLE DB.T TO DB2.T2.") { pd, from, to };
            rename.SetAction((r, ct) =>
            {
                if (ParseQualified(r.GetValue(from)!) is not { } a || ParseQualified(r.GetValue(to)!) is not { } b)
                {
                    return Task.FromResult(Usage("names are DB.T"));
                }

                return RunAsync(r, r.GetValue(pd)!, async (catalog, _) =>
                {
                    await catalog.RenameTableAsync(a.Db, a.Table, b.Db, b.Table, ct).ConfigureAwait(false);
                    return 0;
                }, ct);
            });
            command.Subcommands.Add(rename);
        }

        {
            var pd = PdOption();
            var table = new Argument<string>("DB.T");
            var index = new Argument<string>("INDEX");
            var columns = new Argument<string>("COL[,COL…]");
            var unique = new Option<bool>("--unique") { Description = "A unique index." };
            var add = new Command("add-index", "ALTER TABLE DB.T ADD [UNIQUE] INDEX (backfills existing rows).") { pd, table, index, columns, unique };
            add.SetAction((r, ct) =>
            {
                if (ParseQualified(r.GetValue(table)!) is not { } t)
                {
                    return Task.FromResult(Usage("table names are DB.T"));
                }

                return RunAsync(r, r.GetValue(pd)!, async (catalog, _) =>
                {
                    var cols = r.GetValue(columns)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    var info = await catalog.AddIndexAsync(t.Db, t.Table, r.GetValue(index)!, cols, r.GetValue(unique), ct).ConfigureAwait(false);
                    await Console.Out.WriteLineAsync($"index {info.Name.O} id {info.Id} is public").ConfigureAwait(false);
                    return 0;
                }, ct);
            });
            command.Subcommands.Add(add);
        }

        {
            var pd = PdOption();
            var table = new Argument<string>("DB.T");
            var index = new Argument<string>("INDEX");
            var drop = new Command("drop-index", "ALTER TABLE DB.T DROP INDEX.") { pd, table, index };
            drop.SetAction((r, ct) =>
            {
                if (ParseQualified(r.GetValue(table)!) is not { } t)
                {
                    return Task.FromResult(Usage("table names are DB.T"));
                }

                return RunAsync(r, r.GetValue(pd)!, async (catalog, _) =>
                {
                    await catalog.DropIndexAsync(t.Db, t.Table, r.GetValue(index)!, ct).ConfigureAwait(false);
                    return 0;
                }, ct);
            });
            command.Subcommands.Add(drop);
        }

        {
            var pd = PdOption();
            var view = new Argument<string>("DB.V");
            var select = new Option<string>("--select") { Description = "The SELECT text.", Required = true };
            var columns = new Option<string>("--columns") { Description = "Comma-separated column names.", Required = true };
            var refs = new Option<string>("--refs") { Description = "Comma-separated DB.T of the tables and views read.", Required = true };
            var create = new Command("create-view", "CREATE VIEW DB.V AS SELECT ….") { pd, view, select, columns, refs };
            create.SetAction((r, ct) =>
            {
                if (ParseQualified(r.GetValue(view)!) is not { } v)
                {
                    return Task.FromResult(Usage("view names are DB.V"));
                }

                return RunAsync(r, r.GetValue(pd)!, async (catalog, _) =>
                {
                    static string[] List(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    await catalog.CreateViewAsync(v.Db, v.Table, r.GetValue(select)!, List(r.GetValue(columns)!), List(r.GetValue(refs)!), ct).ConfigureAwait(false);
                    return 0;
                }, ct);
            });
            command.Subcommands.Add(create);
        }

        return command;
    }

    private static Command NameAction(string name, string description, Func<CatalogClient, string, CancellationToken, Task> action)
    {
        var pd = PdOption();
        var arg = new Argument<string>("NAME");
        var command = new Command(name, description) { pd, arg };
        command.SetAction((r, ct) =>
        {
            var value = CliArgs.Name(r.GetValue(arg), "NAME");
            return RunAsync(r, r.GetValue(pd)!, async (catalog, _) =>
            {
                await action(catalog, value, ct).ConfigureAwait(false);
                return 0;
            }, ct);
        });
        return command;
    }

    private static Command TableAction(string name, string description, Func<CatalogClient, TxnClient, string, string, CancellationToken, Task> action)
    {
        var pd = PdOption();
        var arg = new Argument<string>("DB.T");
        var command = new Command(name, description) { pd, arg };
        command.SetAction((r, ct) =>
        {
            if (ParseQualified(r.GetValue(arg)!) is not { } t)
            {
                return Task.FromResult(Usage($"expected DB.T, got '{r.GetValue(arg)}'"));
            }

            return RunAsync(r, r.GetValue(pd)!, async (catalog, client) =>
            {
                await action(catalog, client, t.Db, t.Table, ct).ConfigureAwait(false);
                return 0;
            }, ct);
        });
        return command;
    }

    /// <summary>Connects to the cluster, runs the body and reports catalog and client failures as exit code 1.</summary>
    internal static async Task<int> RunAsync(ParseResult parse, string pd, Func<CatalogClient, TxnClient, Task<int>> body, CancellationToken cancellationToken)
    {
        var addresses = CliArgs.PdAddresses(pd, "--pd", TlsFlags.IsOn(parse));
        var tls = TlsFlags.Read(parse);
        try
        {
            // A stalled command says what it waits for, at most one line every few seconds, instead of going silent.
            var options = new Cairn.Client.ClientOptions { OnWaiting = what => Console.Error.WriteLine("cairn: " + what) };
            await using var client = await TxnClient.ConnectAsync(addresses, options, tls, cancellationToken).ConfigureAwait(false);
            return await body(new CatalogClient(client), client).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Cairn.Client.ClientException or Cairn.Pd.Client.PdException or IOException or JsonException)
        {
            await Console.Error.WriteLineAsync("cairn: " + e.Message).ConfigureAwait(false);
            return Failed;
        }
    }

    private static int Usage(string message) => CliRunner.Usage("cairn", message);
}
