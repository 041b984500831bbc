using System.CommandLine;
using Cairn.Br;
using Cairn.Br.Filter;
using Cairn.Hosting;

namespace Cairn.Cli.Flags;

/// <summary>
/// Which tables a backup covers: <c>-f/--filter</c> rules (<c>backup full</c>), <c>--db</c> (<c>backup db</c>, repeatable)
/// and <c>--db</c> with <c>-t/--table</c> (<c>backup table</c>, repeatable; <c>db.table</c> names, backquoted where a name
/// holds a dot). Each subcommand gets its own instance, with only the options it takes.
/// </summary>
internal sealed class TableFlags
{
    private readonly string _verb;

    private TableFlags(Option<string[]>? filter, Option<string[]>? databases, Option<string[]>? tables, string verb)
    {
        _verb = verb;
        Filter = filter;
        Databases = databases;
        Tables = tables;
    }

    public Option<string[]>? Filter { get; }

    public Option<string[]>? Databases { get; }

    public Option<string[]>? Tables { get; }

    public Option<bool> CaseSensitive { get; } = new("--case-sensitive")
    {
        Description = "match database and table names case-sensitively",
    };

    /// <summary>The flags of <c>full</c>; <paramref name="restore"/> for <c>restore full</c>, whose default filter leaves out the system databases.</summary>
    public static TableFlags ForFull(bool restore = false) => new(new Option<string[]>("--filter", "-f")
    {
        Description = "table-filter rule (repeatable; globs * ? [a-z], ! to exclude, `quoted` names; the last matching rule wins; default "
            + (restore ? "*.* but the system databases)" : "*.*)"),
    }, null, null, Verb(restore));

    public static TableFlags ForDatabase(bool restore = false) => new(null, DatabaseOption($"database to {Verb(restore)} (repeatable: --db a --db b)"), null, Verb(restore));

    public static TableFlags ForTable(bool restore = false) => new(null, DatabaseOption("database of the tables given by -t (with one --db, -t names are plain table names)"), new Option<string[]>("--table", "-t")
    {
        Description = $"table to {Verb(restore)} (repeatable): a name in --db's database, or db.table (`a.b`.`c` for names with dots)",
    }, Verb(restore));

    public void AddTo(Command command)
    {
        foreach (var option in new[] { Filter, Databases, Tables })
        {
            if (option is not null)
            {
                command.Options.Add(option);
            }
        }

        command.Options.Add(CaseSensitive);
    }

    /// <summary>
    /// <paramref name="options"/> with the selection the flags describe: the filter (none for <c>backup full</c>
    /// without rules: every table) and, for <c>backup db</c> and <c>backup table</c>, the names the job must find.
    /// </summary>
    public BackupOptions Apply(ParseResult parse, BackupOptions options)
    {
        var caseSensitive = parse.GetValue(CaseSensitive);
        if (Filter is not null)
        {
            var rules = parse.GetValue(Filter) ?? [];
            if (rules.Length == 0)
            {
                return options with { CaseSensitive = caseSensitive };
            }

            try
            {
                return options with { Filter = TableFilter.Parse(rules, caseSensitive), CaseSensitive = caseSensitive };
            }
            catch (FormatException e)
            {
                throw new CliUsageException($"--filter: {e.Message}");
            }
        }

        var databases = Databases is null ? [] : Names(parse.GetValue(Databases), "--db");
        if (Tables is null)
        {
            if (databases.Length == 0)
            {
                throw new CliUsageException($"--db is required: the database to {_verb}");
            }

            return options with { Filter = TableFilter.ForSchemas(databases, caseSensitive), Databases = databases, CaseSensitive = caseSensitive };
        }

        var tables = Names(parse.GetValue(Tables), "--table");
        if (tables.Length == 0)
        {
            throw new CliUsageException($"--table (-t) is required: the table to {_verb}, as -t name with --db, or -t db.table");
        }

        if (databases.Length > 1)
        {
            throw new CliUsageException($"{(_verb == "back up" ? "backup" : "restore")} table takes at most one --db; name tables of several databases as -t db.table");
        }

        var pairs = new List<(string Database, string Table)>(tables.Length);
        foreach (var table in tables)
        {
            if (databases.Length == 1)
            {
                pairs.Add((databases[0], table));
                continue;
            }

            try
            {
                pairs.Add(TableFilter.ParseTableName(table));
            }
            catch (FormatException e)
            {
                throw new CliUsageException($"--table '{table}': {e.Message}; give the database with --db, or the table as db.table");
            }
        }

        return options with { Filter = TableFilter.ForTables(pairs, caseSensitive), Tables = pairs, CaseSensitive = caseSensitive };
    }

    private static string Verb(bool restore) => restore ? "restore" : "back up";

    private static Option<string[]> DatabaseOption(string description) => new("--db") { Description = description };

    private static string[] Names(string[]? values, string flag)
    {
        var names = values ?? [];
        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new CliUsageException($"{flag} must not be empty");
            }
        }

        return names;
    }
}
