using Cairn.Br.Filter;
using Cairn.Client.Catalog;
using Cairn.Rpc.Backup;

namespace Cairn.Br.Restore;

/// <summary>
/// Which databases and tables of a backup a restore takes and where they go (br-spec §d.4 and table routes): the
/// filter (or the named databases and tables) picks them, matched with <c>__TiDB_BR_Temporary_</c> names mapped
/// back; table routes rename them. Anything named that the backup does not hold is refused, naming it.
/// </summary>
internal sealed class RestoreSelection
{
    /// <summary>The prefix a backup gives system databases (<c>mysql</c> is backed up as <c>__TiDB_BR_Temporary_mysql</c>).</summary>
    public const string TemporaryPrefix = "__TiDB_BR_Temporary_";

    /// <summary>BR's error for a database or table named that the backup does not hold.</summary>
    public const string UndefinedCode = "ErrUndefinedRestoreDbOrTable";

    private RestoreSelection(IReadOnlyList<string> databases, IReadOnlyList<RestoreTarget> targets)
    {
        Databases = databases;
        Targets = targets;
    }

    /// <summary>Target databases: those of the selected tables, and selected databases the backup holds without tables.</summary>
    public IReadOnlyList<string> Databases { get; }

    /// <summary>Selected tables and views with their targets.</summary>
    public IReadOnlyList<RestoreTarget> Targets { get; }

    /// <summary>The database name a backup entry is matched and restored under.</summary>
    public static string OriginalName(string backedUpName) =>
        backedUpName.StartsWith(TemporaryPrefix, StringComparison.Ordinal) ? backedUpName[TemporaryPrefix.Length..] : backedUpName;

    /// <summary>Selects from the backup's <paramref name="schemas"/>.</summary>
    /// <exception cref="BrException">A named database, table, filter or route matches nothing, or two tables would restore to one name.</exception>
    public static RestoreSelection Select(IReadOnlyList<Schema> schemas, RestoreOptions options)
    {
        var entries = new List<(string Database, TableInfo? Table, Schema Schema)>();
        foreach (var schema in schemas)
        {
            if (schema.Db.IsEmpty)
            {
                throw new BrException("ErrRestoreInvalidBackup", "the backup has a table without its database: the backupmeta is damaged; take the backup again");
            }

            var db = CatalogJson.Deserialize<DBInfo>(schema.Db.Span);
            var table = schema.Table.IsEmpty ? null : CatalogJson.Deserialize<TableInfo>(schema.Table.Span);
            entries.Add((OriginalName(db.Name.O), table, schema));
        }

        var filter = FilterOf(options, entries);
        var databases = new List<string>();
        var picked = new List<(string Database, TableInfo Table, Schema Schema)>();
        foreach (var (database, table, schema) in entries)
        {
            var selected = table is null ? filter.MatchSchema(database) : filter.MatchTable(database, table.Name.O);
            if (!selected)
            {
                continue;
            }

            if (table is null)
            {
                AddOnce(databases, database);
            }
            else
            {
                picked.Add((database, table, schema));
            }
        }

        if (options.Filter is not null && databases.Count == 0 && picked.Count == 0)
        {
            throw new BrException(UndefinedCode, $"the filter '{options.Filter}' matches nothing in the backup: check the names with 'br debug decode' or widen the filter");
        }

        return Route(databases, picked, options.Renames);
    }

    private static TableFilter FilterOf(RestoreOptions options, List<(string Database, TableInfo? Table, Schema Schema)> entries)
    {
        if (options.Filter is not null)
        {
            return options.Filter;
        }

        var comparison = options.CaseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        switch (options.Kind)
        {
            case RestoreKind.Database:
                foreach (var database in options.Databases!)
                {
                    if (!entries.Any(e => string.Equals(e.Database, database, comparison)))
                    {
                        throw new BrException(UndefinedCode, $"database {database} is not in the backup: check the name (br debug decode lists what the backup holds)");
                    }
                }

                return TableFilter.ForSchemas(options.Databases!, options.CaseSensitive);
            case RestoreKind.Table:
                foreach (var (database, table) in options.Tables!)
                {
                    if (!entries.Any(e => string.Equals(e.Database, database, comparison) && e.Table is { } t && string.Equals(t.Name.O, table, comparison)))
                    {
                        throw new BrException(UndefinedCode, $"table {database}.{table} is not in the backup: check the name (br debug decode lists what the backup holds)");
                    }
                }

                return TableFilter.ForTables(options.Tables!, options.CaseSensitive);
            default:
                return TableFilter.RestoreDefault;
        }
    }

    private static RestoreSelection Route(List<string> databases, List<(string Database, TableInfo Table, Schema Schema)> picked, IReadOnlyList<TableRename> renames)
    {
        var used = new HashSet<TableRename>();
        var targets = new List<RestoreTarget>();
        foreach (var (database, table, schema) in picked)
        {
            var tableRoute = renames.FirstOrDefault(r => !r.IsDatabase && Same(r.SourceDatabase, database) && Same(r.SourceTable!, table.Name.O));
            var databaseRoute = renames.FirstOrDefault(r => r.IsDatabase && Same(r.SourceDatabase, database));
            if (tableRoute is not null)
            {
                used.Add(tableRoute);
                targets.Add(new RestoreTarget(database, table, schema, tableRoute.TargetDatabase, tableRoute.TargetTable!, routed: true));
            }
            else if (databaseRoute is not null)
            {
                used.Add(databaseRoute);
                targets.Add(new RestoreTarget(database, table, schema, databaseRoute.TargetDatabase, table.Name.O, routed: false));
            }
            else
            {
                targets.Add(new RestoreTarget(database, table, schema, database, table.Name.O, routed: false));
            }
        }

        // A whole-database route also moves an empty database.
        var targetDatabases = new List<string>();
        foreach (var database in databases)
        {
            var route = renames.FirstOrDefault(r => r.IsDatabase && Same(r.SourceDatabase, database));
            if (route is not null)
            {
                used.Add(route);
            }

            AddOnce(targetDatabases, route?.TargetDatabase ?? database);
        }

        foreach (var target in targets)
        {
            AddOnce(targetDatabases, target.TargetDatabase);
        }

        var unused = renames.Where(r => !used.Contains(r)).ToList();
        if (unused.Count > 0)
        {
            throw new BrException(UndefinedCode, $"--rename '{unused[0]}' matches nothing the restore selected: check the source name, and that the filter or --db/--table selects it");
        }

        var clash = targets.GroupBy(t => (t.TargetDatabase.ToLowerInvariant(), t.TargetTable.ToLowerInvariant())).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new BrException("ErrInvalidArgument", $"{string.Join(" and ", clash.Select(t => t.SourceName))} would both restore as {clash.First().TargetName}: route one of them elsewhere with --rename");
        }

        return new RestoreSelection(targetDatabases, targets);
    }

    private static void AddOnce(List<string> names, string name)
    {
        if (!names.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            names.Add(name);
        }
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
