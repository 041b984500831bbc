using System.Text.Json;
using Cairn.Br.Filter;
using Cairn.Client.Catalog;

namespace Cairn.Br.Backup;

/// <summary>
/// Reads the schemas a backup covers at its snapshot (br-spec §b.7): every database and table the selection
/// matches, skipping the in-memory system schemas and tables that are not public; non-public indexes are dropped
/// from the stored table, and the auto-increment and auto-random bases are the allocators' next IDs at the snapshot.
/// Unlike the BR this follows, a matched database without tables is backed up too (a Schema with only the
/// database, as newer BR writes), so an empty database restores.
/// </summary>
internal static class SchemaCollector
{
    private static readonly HashSet<string> MemorySchemas = new(StringComparer.OrdinalIgnoreCase)
    {
        "information_schema", "performance_schema", "metrics_schema", "inspection_schema",
    };

    /// <summary>Reads the schemas of <paramref name="options"/>' selection at <paramref name="ts"/>.</summary>
    /// <exception cref="BrException">A database or table the options name does not exist at the snapshot.</exception>
    public static async Task<IReadOnlyList<BackupTable>> CollectAsync(CatalogClient catalog, BackupOptions options, ulong ts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        var selection = new Selection(options);
        var result = new List<BackupTable>();
        var foundDatabases = new HashSet<string>(StringComparer.Ordinal);
        var foundTables = new HashSet<(string, string)>();
        foreach (var db in await catalog.ListDatabasesAsync(ts, cancellationToken).ConfigureAwait(false))
        {
            if (MemorySchemas.Contains(db.Name.O) || db.State != SchemaState.Public || !selection.MatchSchema(db.Name.O))
            {
                continue;
            }

            foundDatabases.Add(selection.Fold(db.Name.O));
            var dbJson = CatalogJson.Serialize(StoredDatabase(db));
            var tables = await catalog.ListTablesAsync(db.Id, ts, cancellationToken).ConfigureAwait(false);
            foreach (var table in tables)
            {
                if (table.State != SchemaState.Public || !selection.MatchTable(db.Name.O, table.Name.O))
                {
                    continue;
                }

                foundTables.Add((selection.Fold(db.Name.O), selection.Fold(table.Name.O)));
                var stored = await StoredTableAsync(catalog, db, table, ts, cancellationToken).ConfigureAwait(false);
                result.Add(new BackupTable(db, dbJson, stored.Table, stored.Json, TableRanges.Of(stored.Table)));
            }

            if (tables.Count == 0 && options.Kind != BackupKind.Table)
            {
                result.Add(new BackupTable(db, dbJson, null, [], []));
            }
        }

        selection.CheckNamed(foundDatabases, foundTables);
        return result;
    }

    // BR renames mysql inside the stored database so a restore never overwrites the target's system tables.
    private static DBInfo StoredDatabase(DBInfo db) =>
        string.Equals(db.Name.L, "mysql", StringComparison.Ordinal) ? db with { Name = new CIStr("__TiDB_BR_Temporary_mysql") } : db;

    private static async Task<(TableInfo Table, byte[] Json)> StoredTableAsync(CatalogClient catalog, DBInfo db, TableInfo table, ulong ts, CancellationToken cancellationToken)
    {
        var stored = table with { Indexes = [.. table.Indexes.Where(i => i.State == SchemaState.Public)] };
        if (table.IsView)
        {
            return (stored, CatalogJson.Serialize(stored));
        }

        // The allocators hold the last ID handed out; BR stores the next one.
        var autoBase = await catalog.GetAutoIdAsync(db.Id, table.Id, autoRandom: false, ts, cancellationToken).ConfigureAwait(false);
        stored = stored with { AutoIncId = Math.Max(table.AutoIncId, autoBase + 1) };
        if (table.AutoRandomBits > 0)
        {
            var randomBase = await catalog.GetAutoIdAsync(db.Id, table.Id, autoRandom: true, ts, cancellationToken).ConfigureAwait(false);
            var extra = stored.Extra is null ? [] : new Dictionary<string, JsonElement>(stored.Extra);
            extra["auto_rand_id"] = JsonSerializer.SerializeToElement(randomBase + 1);
            stored = stored with { Extra = extra };
        }

        return (stored, CatalogJson.Serialize(stored));
    }

    /// <summary>What the options select: the filter, or the named databases/tables, or everything.</summary>
    private sealed class Selection
    {
        private readonly BackupOptions _options;
        private readonly TableFilter? _filter;
        private readonly HashSet<string>? _databases;
        private readonly HashSet<(string, string)>? _tables;

        public Selection(BackupOptions options)
        {
            _options = options;
            _filter = options.Filter;
            if (options.Kind == BackupKind.Database && options.Databases is { Count: > 0 } dbs)
            {
                _databases = [.. dbs.Select(Fold)];
            }

            if (options.Kind == BackupKind.Table && options.Tables is { Count: > 0 } tables)
            {
                _tables = [.. tables.Select(t => (Fold(t.Database), Fold(t.Table)))];
            }
        }

        public string Fold(string name) => _options.CaseSensitive ? name : name.ToLowerInvariant();

        public bool MatchSchema(string database)
        {
            if (_filter is not null)
            {
                return _filter.MatchSchema(database);
            }

            if (_databases is not null)
            {
                return _databases.Contains(Fold(database));
            }

            return _tables is null || _tables.Any(t => t.Item1 == Fold(database));
        }

        public bool MatchTable(string database, string table)
        {
            if (_filter is not null)
            {
                return _filter.MatchTable(database, table);
            }

            if (_databases is not null)
            {
                return _databases.Contains(Fold(database));
            }

            return _tables is null || _tables.Contains((Fold(database), Fold(table)));
        }

        public void CheckNamed(HashSet<string> foundDatabases, HashSet<(string, string)> foundTables)
        {
            if (_options.Kind == BackupKind.Database)
            {
                foreach (var name in _options.Databases ?? [])
                {
                    if (!foundDatabases.Contains(Fold(name)))
                    {
                        throw new BrException("ErrBackupNoSuchDatabase", $"database `{name}` does not exist at the backup's snapshot: check the name (--db)");
                    }
                }

                if (foundDatabases.Count == 0)
                {
                    throw new BrException("ErrBackupNoSuchDatabase", "no database matches the backup's selection at its snapshot: check --db");
                }
            }

            if (_options.Kind == BackupKind.Table)
            {
                foreach (var (db, table) in _options.Tables ?? [])
                {
                    if (!foundTables.Contains((Fold(db), Fold(table))))
                    {
                        throw new BrException("ErrBackupNoSuchTable", $"table `{db}`.`{table}` does not exist at the backup's snapshot: check the names (--db, -t/--table)");
                    }
                }

                if (foundTables.Count == 0)
                {
                    throw new BrException("ErrBackupNoSuchTable", "no table matches the backup's selection at its snapshot: check --db and -t/--table");
                }
            }
        }
    }
}
