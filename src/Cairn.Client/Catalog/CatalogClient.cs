using System.Buffers.Binary;
using Cairn.Client.Tables;
using Cairn.Client.Txn;
using Cairn.Common.Keys;

namespace Cairn.Client.Catalog;

/// <summary>
/// The schema catalog kept under <c>m</c> keys in TiDB's meta layout (br-spec §f.7), and DDL run as transactions
/// through a <see cref="TxnClient"/>. Every DDL bumps the schema version and appends a job to the DDL history. Reads
/// take an optional timestamp and then see the catalog as of that snapshot.
/// </summary>
public sealed partial class CatalogClient
{
    private const string TablePrefix = "Table:";
    private readonly TableRegionSplitter _splitter;
    private readonly AutoIdAllocator _autoIds;
    private readonly IndexBackfiller _backfiller;

    /// <summary>Creates a catalog over a transactional client.</summary>
    public CatalogClient(TxnClient client, CatalogOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        Client = client;
        Options = options ?? new CatalogOptions();
        _splitter = new TableRegionSplitter(client, Options);
        _autoIds = new AutoIdAllocator(client, Options);
        _backfiller = new IndexBackfiller(client, Options);
    }

    /// <summary>The transactional client.</summary>
    public TxnClient Client { get; }

    /// <summary>Settings.</summary>
    public CatalogOptions Options { get; }

    // ---- reads -------------------------------------------------------------------------------------------------

    /// <summary>Every database, at <paramref name="ts"/> (latest when null).</summary>
    public async Task<IReadOnlyList<DBInfo>> ListDatabasesAsync(ulong? ts = null, CancellationToken cancellationToken = default)
    {
        var meta = await ReaderAsync(ts, cancellationToken).ConfigureAwait(false);
        return await ListDatabasesAsync(meta, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A database by name (case-insensitive), or null.</summary>
    public async Task<DBInfo?> GetDatabaseAsync(string name, ulong? ts = null, CancellationToken cancellationToken = default)
    {
        var meta = await ReaderAsync(ts, cancellationToken).ConfigureAwait(false);
        return await FindDatabaseAsync(meta, name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every table and view of a database.</summary>
    public async Task<IReadOnlyList<TableInfo>> ListTablesAsync(long databaseId, ulong? ts = null, CancellationToken cancellationToken = default)
    {
        var meta = await ReaderAsync(ts, cancellationToken).ConfigureAwait(false);
        return await ListTablesAsync(meta, databaseId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A table or view by database and table name (case-insensitive), or null.</summary>
    public async Task<TableInfo?> GetTableAsync(string database, string table, ulong? ts = null, CancellationToken cancellationToken = default)
    {
        var meta = await ReaderAsync(ts, cancellationToken).ConfigureAwait(false);
        var db = await FindDatabaseAsync(meta, database, cancellationToken).ConfigureAwait(false);
        return db is null ? null : await FindTableAsync(meta, db.Id, table, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The schema version.</summary>
    public async Task<long> GetSchemaVersionAsync(ulong? ts = null, CancellationToken cancellationToken = default)
    {
        var meta = await ReaderAsync(ts, cancellationToken).ConfigureAwait(false);
        return await meta.GetIntAsync(MetaKeys.SchemaVersionKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The global id allocator's last handed-out id.</summary>
    public async Task<long> GetGlobalIdAsync(ulong? ts = null, CancellationToken cancellationToken = default)
    {
        var meta = await ReaderAsync(ts, cancellationToken).ConfigureAwait(false);
        return await meta.GetIntAsync(MetaKeys.NextGlobalId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A table's row-id/auto-increment allocator (<c>TID</c>) or auto-random allocator (<c>TARID</c>) base.</summary>
    public async Task<long> GetAutoIdAsync(long databaseId, long tableId, bool autoRandom = false, ulong? ts = null, CancellationToken cancellationToken = default)
    {
        var meta = await ReaderAsync(ts, cancellationToken).ConfigureAwait(false);
        var field = autoRandom ? MetaKeys.AutoRandomIdField(tableId) : MetaKeys.AutoTableIdField(tableId);
        return await meta.HashGetIntAsync(MetaKeys.DatabaseField(databaseId), field, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The DDL history, in job id order.</summary>
    public async Task<IReadOnlyList<DdlJob>> ListDdlJobsAsync(ulong? ts = null, CancellationToken cancellationToken = default)
    {
        var meta = await ReaderAsync(ts, cancellationToken).ConfigureAwait(false);
        var fields = await meta.HashGetAllAsync(MetaKeys.DdlJobHistory, cancellationToken).ConfigureAwait(false);
        return fields.Select(f => CatalogJson.Deserialize<DdlJob>(f.Value)).OrderBy(j => j.Id).ToArray();
    }

    // ---- DDL ---------------------------------------------------------------------------------------------------

    /// <summary>CREATE DATABASE.</summary>
    /// <exception cref="CatalogException">A database of that name exists.</exception>
    public Task<DBInfo> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        CatalogNames.Validate(name, "database");
        return RunDdlAsync(async meta =>
        {
            if (await FindDatabaseAsync(meta, name, cancellationToken).ConfigureAwait(false) is not null)
            {
                throw new CatalogException($"database {name} exists");
            }

            var db = new DBInfo { Id = await NextIdsAsync(meta, 1, cancellationToken).ConfigureAwait(false), Name = new CIStr(name) };
            await PutDatabaseAsync(meta, db, cancellationToken).ConfigureAwait(false);
            return (db, new DdlJob { Type = DdlActionType.CreateSchema, SchemaId = db.Id, SchemaName = name, Query = $"CREATE DATABASE {Quote(name)}", Binlog = new DdlJobBinlog { DbInfo = db } });
        }, cancellationToken);
    }

    /// <summary>DROP DATABASE with all its tables (their data is deleted afterwards in batches).</summary>
    /// <exception cref="CatalogException">No such database.</exception>
    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        var tables = await RunDdlAsync(async meta =>
        {
            var db = await RequireDatabaseAsync(meta, name, cancellationToken).ConfigureAwait(false);
            var tables = await ListTablesAsync(meta, db.Id, cancellationToken).ConfigureAwait(false);
            await meta.HashDeleteAsync(MetaKeys.Databases, MetaKeys.DatabaseField(db.Id), cancellationToken).ConfigureAwait(false);
            await meta.HashClearAsync(MetaKeys.DatabaseField(db.Id), cancellationToken).ConfigureAwait(false);
            return (tables, new DdlJob { Type = DdlActionType.DropSchema, SchemaId = db.Id, SchemaName = db.Name.O, Query = $"DROP DATABASE {Quote(db.Name.O)}", Binlog = new DdlJobBinlog { DbInfo = db with { State = SchemaState.None } } });
        }, cancellationToken).ConfigureAwait(false);
        foreach (var table in tables)
        {
            await DeleteTableDataAsync(table.PhysicalIds, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// CREATE TABLE from a definition whose names, column types, indexes (by column name), handle kind, partitions
    /// and auto settings are given; ids, offsets and states are assigned here. A single integer primary key that is
    /// not clustered as a common handle becomes the int handle (<c>pk_is_handle</c>).
    /// </summary>
    /// <exception cref="CatalogException">No such database, the name is taken, or the definition is invalid.</exception>
    public async Task<TableInfo> CreateTableAsync(string database, TableInfo definition, CancellationToken cancellationToken = default)
    {
        TableDefinitions.Validate(definition);
        var created = await RunDdlAsync(async meta =>
        {
            var db = await RequireDatabaseAsync(meta, database, cancellationToken).ConfigureAwait(false);
            var table = await AddTableAsync(meta, db, definition, cancellationToken).ConfigureAwait(false);
            return (table, Job(DdlActionType.CreateTable, db, table, $"CREATE TABLE {Quote(db.Name.O)}.{Quote(table.Name.O)}"));
        }, cancellationToken).ConfigureAwait(false);
        await _splitter.SplitAsync(created, cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>
    /// Creates many tables and views of one database, <paramref name="batchSize"/> per transaction and DDL job, from
    /// full definitions as a backup holds them: columns, indexes, handle kind and auto settings are kept as given, and
    /// only the table and partition ids are new, allocated at once for each batch. Views may reference tables and views
    /// earlier in the list. Regions are not split here (restore splits at the new prefixes itself). The database's
    /// table names are read once, not per batch: a later batch reuses them while the schema version shows that no
    /// other DDL ran in between (every DDL bumps it, and two DDLs writing it conflict).
    /// </summary>
    /// <returns>The created definitions, in the order given.</returns>
    /// <exception cref="CatalogException">No such database, a name is taken or repeated, or a view references a missing object.</exception>
    public async Task<IReadOnlyList<TableInfo>> CreateTablesAsync(string database, IReadOnlyList<TableInfo> definitions, int batchSize = 256, IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        foreach (var definition in definitions)
        {
            CatalogNames.Validate(definition.Name.O, definition.IsView ? "view" : "table");
        }

        var created = new List<TableInfo>(definitions.Count);
        HashSet<string>? known = null;
        var knownVersion = -1L;
        foreach (var batch in definitions.Chunk(batchSize))
        {
            var (tables, taken, version) = await RunDdlAsync(async meta =>
            {
                var db = await RequireDatabaseAsync(meta, database, cancellationToken).ConfigureAwait(false);
                var version = await meta.GetIntAsync(MetaKeys.SchemaVersionKey, cancellationToken).ConfigureAwait(false);
                var taken = known is not null && version == knownVersion
                    ? new HashSet<string>(known, StringComparer.Ordinal)
                    : (await ListTablesAsync(meta, db.Id, cancellationToken).ConfigureAwait(false)).Select(t => t.Name.L).ToHashSet(StringComparer.Ordinal);
                var tables = await AddTablesAsync(meta, db, batch, taken, cancellationToken).ConfigureAwait(false);
                var job = new DdlJob
                {
                    Type = DdlActionType.CreateTables,
                    SchemaId = db.Id,
                    TableId = tables[0].Id,
                    SchemaName = db.Name.O,
                    Query = string.Join("; ", tables.Select(t => $"CREATE {(t.IsView ? "VIEW" : "TABLE")} {Quote(db.Name.O)}.{Quote(t.Name.O)}")),
                    Binlog = new DdlJobBinlog { DbInfo = db },
                };
                return ((tables, taken, version), job);
            }, cancellationToken).ConfigureAwait(false);

            // This job bumped the version once more.
            known = taken;
            knownVersion = version + 1;
            created.AddRange(tables);
            progress?.Report(tables.Count);
        }

        return created;
    }

    private static async Task<IReadOnlyList<TableInfo>> AddTablesAsync(MetaAccess meta, DBInfo db, TableInfo[] definitions, HashSet<string> taken, CancellationToken cancellationToken)
    {
        var count = definitions.Sum(d => 1 + (d.Partition?.Definitions.Count ?? 0));
        var next = await NextIdsAsync(meta, count, cancellationToken).ConfigureAwait(false) - count + 1;
        var tables = new List<TableInfo>(definitions.Length);
        var fields = new List<(string Field, byte[] Value)>(definitions.Length);
        foreach (var definition in definitions)
        {
            if (!taken.Add(definition.Name.L))
            {
                throw new CatalogException($"table {db.Name.O}.{definition.Name.O} exists");
            }

            if (definition.View is { } view)
            {
                await RequireViewReferencesAsync(meta, db, taken, definition.Name.O, view.References ?? [], cancellationToken).ConfigureAwait(false);
            }

            var table = definition with
            {
                Id = next++,
                Partition = definition.Partition is { } p ? p with { Definitions = p.Definitions.Select(d => d with { Id = next++ }).ToArray() } : null,
                State = SchemaState.Public,
                UpdateTimestamp = meta.StartTs,
            };
            fields.Add((MetaKeys.TableField(table.Id), CatalogJson.Serialize(table)));
            if (!table.IsView && table.AutoIncId > 1)
            {
                fields.Add((MetaKeys.AutoTableIdField(table.Id), MetaAccess.FormatInt(table.AutoIncId - 1)));
            }

            tables.Add(table);
        }

        // The ids are fresh, so none of these fields exists yet.
        await meta.HashSetNewFieldsAsync(MetaKeys.DatabaseField(db.Id), fields, cancellationToken).ConfigureAwait(false);
        return tables;
    }

    /// <summary>CREATE VIEW over a SELECT text; <paramref name="references"/> names the tables and views it reads (<c>db.name</c>).</summary>
    /// <exception cref="CatalogException">No such database, a referenced object is missing, or the name is taken.</exception>
    public Task<TableInfo> CreateViewAsync(string database, string name, string select, IReadOnlyList<string> columns, IReadOnlyList<string> references, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(references);
        CatalogNames.Validate(name, "view");
        return RunDdlAsync(async meta =>
        {
            var db = await RequireDatabaseAsync(meta, database, cancellationToken).ConfigureAwait(false);
            await RequireFreeNameAsync(meta, db, name, cancellationToken).ConfigureAwait(false);
            foreach (var reference in references)
            {
                var dot = reference.IndexOf('.', StringComparison.Ordinal);
                var refDb = await RequireDatabaseAsync(meta, reference[..dot], cancellationToken).ConfigureAwait(false);
                _ = await FindTableAsync(meta, refDb.Id, reference[(dot + 1)..], cancellationToken).ConfigureAwait(false)
                    ?? throw new CatalogException($"view {name} references missing {reference}");
            }

            var id = await NextIdsAsync(meta, 1, cancellationToken).ConfigureAwait(false);
            var view = new TableInfo
            {
                Id = id,
                Name = new CIStr(name),
                Columns = columns.Select((c, i) => new ColumnInfo { Id = i + 1, Name = new CIStr(c), Offset = i }).ToArray(),
                MaxColumnId = columns.Count,
                View = new ViewInfo { Select = select, Columns = columns.Select(c => new CIStr(c)).ToArray(), References = references.ToArray() },
                UpdateTimestamp = meta.StartTs,
            };
            await PutTableAsync(meta, db.Id, view, cancellationToken).ConfigureAwait(false);
            return (view, Job(DdlActionType.CreateView, db, view, $"CREATE VIEW {Quote(db.Name.O)}.{Quote(name)} AS {select}"));
        }, cancellationToken);
    }

    /// <summary>DROP VIEW.</summary>
    /// <exception cref="CatalogException">No such view.</exception>
    public Task DropViewAsync(string database, string name, CancellationToken cancellationToken = default) =>
        RunDdlAsync(async meta =>
        {
            var (db, view) = await RequireTableAsync(meta, database, name, cancellationToken).ConfigureAwait(false);
            if (!view.IsView)
            {
                throw new CatalogException($"{name} is not a view");
            }

            await RemoveTableAsync(meta, db.Id, view.Id, cancellationToken).ConfigureAwait(false);
            return (true, Job(DdlActionType.DropView, db, view with { State = SchemaState.None }, $"DROP VIEW {Quote(db.Name.O)}.{Quote(name)}"));
        }, cancellationToken);

    /// <summary>DROP TABLE; the table's data is deleted afterwards in batches (older snapshots still read it).</summary>
    /// <exception cref="CatalogException">No such table, or it is a view.</exception>
    public async Task DropTableAsync(string database, string name, CancellationToken cancellationToken = default)
    {
        var table = await RunDdlAsync(async meta =>
        {
            var (db, table) = await RequireTableAsync(meta, database, name, cancellationToken).ConfigureAwait(false);
            if (table.IsView)
            {
                throw new CatalogException($"{name} is a view");
            }

            await RemoveTableAsync(meta, db.Id, table.Id, cancellationToken).ConfigureAwait(false);
            return (table, Job(DdlActionType.DropTable, db, table with { State = SchemaState.None }, $"DROP TABLE {Quote(db.Name.O)}.{Quote(name)}"));
        }, cancellationToken).ConfigureAwait(false);
        await DeleteTableDataAsync(table.PhysicalIds, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>TRUNCATE TABLE: the table gets a new id (and new partition ids); the old data is deleted afterwards.</summary>
    /// <exception cref="CatalogException">No such table.</exception>
    public async Task<TableInfo> TruncateTableAsync(string database, string name, CancellationToken cancellationToken = default)
    {
        var (old, fresh) = await RunDdlAsync(async meta =>
        {
            var (db, table) = await RequireTableAsync(meta, database, name, cancellationToken).ConfigureAwait(false);
            if (table.IsView)
            {
                throw new CatalogException($"{name} is a view");
            }

            await RemoveTableAsync(meta, db.Id, table.Id, cancellationToken).ConfigureAwait(false);
            var count = 1 + (table.Partition?.Definitions.Count ?? 0);
            var last = await NextIdsAsync(meta, count, cancellationToken).ConfigureAwait(false);
            var next = last - count + 1;
            var fresh = table with
            {
                Id = next++,
                Partition = table.Partition is { } p ? p with { Definitions = p.Definitions.Select(d => d with { Id = next++ }).ToArray() } : null,
                UpdateTimestamp = meta.StartTs,
            };
            await PutTableAsync(meta, db.Id, fresh, cancellationToken).ConfigureAwait(false);
            return ((table, fresh), Job(DdlActionType.TruncateTable, db, fresh, $"TRUNCATE TABLE {Quote(db.Name.O)}.{Quote(name)}"));
        }, cancellationToken).ConfigureAwait(false);
        _autoIds.Forget(old.Id);
        await _splitter.SplitAsync(fresh, cancellationToken).ConfigureAwait(false);
        await DeleteTableDataAsync(old.PhysicalIds, cancellationToken).ConfigureAwait(false);
        return fresh;
    }

    /// <summary>RENAME TABLE, possibly into another database; the table keeps its id, data and allocators.</summary>
    /// <exception cref="CatalogException">No such table or database, or the new name is taken.</exception>
    public Task<TableInfo> RenameTableAsync(string database, string name, string newDatabase, string newName, CancellationToken cancellationToken = default) =>
        RunDdlAsync(async meta =>
        {
            CatalogNames.Validate(newName, "table");
            var (db, table) = await RequireTableAsync(meta, database, name, cancellationToken).ConfigureAwait(false);
            var target = await RequireDatabaseAsync(meta, newDatabase, cancellationToken).ConfigureAwait(false);
            await RequireFreeNameAsync(meta, target, newName, cancellationToken).ConfigureAwait(false);
            var autoId = await meta.HashGetIntAsync(MetaKeys.DatabaseField(db.Id), MetaKeys.AutoTableIdField(table.Id), cancellationToken).ConfigureAwait(false);
            var autoRandom = await meta.HashGetIntAsync(MetaKeys.DatabaseField(db.Id), MetaKeys.AutoRandomIdField(table.Id), cancellationToken).ConfigureAwait(false);
            await RemoveTableAsync(meta, db.Id, table.Id, cancellationToken).ConfigureAwait(false);
            var renamed = table with { Name = new CIStr(newName), UpdateTimestamp = meta.StartTs };
            await PutTableAsync(meta, target.Id, renamed, cancellationToken).ConfigureAwait(false);
            if (autoId != 0)
            {
                await meta.HashSetAsync(MetaKeys.DatabaseField(target.Id), MetaKeys.AutoTableIdField(table.Id), MetaAccess.FormatInt(autoId), cancellationToken).ConfigureAwait(false);
            }

            if (autoRandom != 0)
            {
                await meta.HashSetAsync(MetaKeys.DatabaseField(target.Id), MetaKeys.AutoRandomIdField(table.Id), MetaAccess.FormatInt(autoRandom), cancellationToken).ConfigureAwait(false);
            }

            return (renamed, Job(DdlActionType.RenameTable, target, renamed, $"RENAME TABLE {Quote(db.Name.O)}.{Quote(name)} TO {Quote(target.Name.O)}.{Quote(newName)}"));
        }, cancellationToken);

    /// <summary>
    /// ADD INDEX: the index goes through delete-only, write-only and write-reorganization (writers maintain it from
    /// write-only on), existing rows are backfilled in batches of transactions, then it becomes public.
    /// </summary>
    /// <exception cref="CatalogException">No such table or column, the name is taken, or a unique index meets duplicates.</exception>
    public async Task<IndexInfo> AddIndexAsync(string database, string table, string indexName, IReadOnlyList<string> columns, bool unique = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(columns);
        CatalogNames.ValidateIndex(indexName, isPrimary: false);
        var (db, info) = await RunDdlAsync(async meta =>
        {
            var (db, info) = await RequireTableAsync(meta, database, table, cancellationToken).ConfigureAwait(false);
            if (info.FindIndex(indexName) is not null)
            {
                throw new CatalogException($"index {indexName} exists on {table}");
            }

            var index = new IndexInfo
            {
                Id = info.MaxIndexId + 1,
                Name = new CIStr(indexName),
                TableName = info.Name,
                Columns = columns.Select(c => IndexColumnOf(info, c)).ToArray(),
                IsUnique = unique,
                State = SchemaState.DeleteOnly,
            };
            var updated = info with { Indexes = [.. info.Indexes, index], MaxIndexId = index.Id, UpdateTimestamp = meta.StartTs };
            await PutTableAsync(meta, db.Id, updated, cancellationToken).ConfigureAwait(false);
            return ((db, updated), (DdlJob?)null);
        }, cancellationToken).ConfigureAwait(false);
        var indexId = info.MaxIndexId;
        await Task.Delay(Options.SchemaLease, cancellationToken).ConfigureAwait(false);
        await SetIndexStateAsync(db.Id, info.Id, indexId, SchemaState.WriteOnly, null, cancellationToken).ConfigureAwait(false);
        await Task.Delay(Options.SchemaLease, cancellationToken).ConfigureAwait(false);
        info = await SetIndexStateAsync(db.Id, info.Id, indexId, SchemaState.WriteReorganization, null, cancellationToken).ConfigureAwait(false);
        await Task.Delay(Options.SchemaLease, cancellationToken).ConfigureAwait(false);
        var index = info.Indexes.First(i => i.Id == indexId);
        try
        {
            await _backfiller.BackfillAsync(info, index, cancellationToken).ConfigureAwait(false);
        }
        catch (DuplicateKeyException e)
        {
            await RunDdlAsync(async meta =>
            {
                var current = await RequireTableByIdAsync(meta, db.Id, info.Id, cancellationToken).ConfigureAwait(false);
                await PutTableAsync(meta, db.Id, current with { Indexes = current.Indexes.Where(i => i.Id != indexId).ToArray(), UpdateTimestamp = meta.StartTs }, cancellationToken).ConfigureAwait(false);
                return (true, (DdlJob?)null);
            }, cancellationToken).ConfigureAwait(false);
            await DeleteRangesAsync(info.PhysicalIds.Select(p => TableCodec.IndexRange(p, indexId)), cancellationToken).ConfigureAwait(false);
            throw new CatalogException($"cannot add unique index {indexName}: {e.Message}");
        }

        info = await SetIndexStateAsync(db.Id, info.Id, indexId, SchemaState.Public,
            $"ALTER TABLE {Quote(db.Name.O)}.{Quote(info.Name.O)} ADD {(unique ? "UNIQUE " : "")}INDEX {Quote(indexName)} ({string.Join(", ", columns.Select(Quote))})",
            cancellationToken).ConfigureAwait(false);
        return info.Indexes.First(i => i.Id == indexId);
    }

    /// <summary>DROP INDEX: public → write-only → delete-only → removed, then the index entries are deleted.</summary>
    /// <exception cref="CatalogException">No such table or index, or it is the clustered primary key.</exception>
    public async Task DropIndexAsync(string database, string table, string indexName, CancellationToken cancellationToken = default)
    {
        var (db, info) = await RunDdlAsync(async meta =>
        {
            var (db, info) = await RequireTableAsync(meta, database, table, cancellationToken).ConfigureAwait(false);
            return ((db, info), (DdlJob?)null);
        }, cancellationToken).ConfigureAwait(false);
        var index = info.FindIndex(indexName) ?? throw new CatalogException($"no index {indexName} on {table}");
        if (index.IsPrimary && info.IsCommonHandle)
        {
            throw new CatalogException("cannot drop a clustered primary key");
        }

        await SetIndexStateAsync(db.Id, info.Id, index.Id, SchemaState.WriteOnly, null, cancellationToken).ConfigureAwait(false);
        await Task.Delay(Options.SchemaLease, cancellationToken).ConfigureAwait(false);
        await SetIndexStateAsync(db.Id, info.Id, index.Id, SchemaState.DeleteOnly, null, cancellationToken).ConfigureAwait(false);
        await Task.Delay(Options.SchemaLease, cancellationToken).ConfigureAwait(false);
        await SetIndexStateAsync(db.Id, info.Id, index.Id, SchemaState.None,
            $"ALTER TABLE {Quote(db.Name.O)}.{Quote(info.Name.O)} DROP INDEX {Quote(index.Name.O)}", cancellationToken).ConfigureAwait(false);
        await DeleteRangesAsync(info.PhysicalIds.Select(p => TableCodec.IndexRange(p, index.Id)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Raises a table's row-id/auto-increment (or auto-random) allocator to at least <paramref name="newBase"/> (restore uses this).</summary>
    /// <exception cref="CatalogException">No such table.</exception>
    public async Task RebaseAutoIdAsync(string database, string table, long newBase, bool autoRandom = false, CancellationToken cancellationToken = default)
    {
        var info = await RunDdlAsync(async meta =>
        {
            var (db, info) = await RequireTableAsync(meta, database, table, cancellationToken).ConfigureAwait(false);
            var field = autoRandom ? MetaKeys.AutoRandomIdField(info.Id) : MetaKeys.AutoTableIdField(info.Id);
            var current = await meta.HashGetIntAsync(MetaKeys.DatabaseField(db.Id), field, cancellationToken).ConfigureAwait(false);
            if (newBase > current)
            {
                await meta.HashSetAsync(MetaKeys.DatabaseField(db.Id), field, MetaAccess.FormatInt(newBase), cancellationToken).ConfigureAwait(false);
            }

            return (info, Job(DdlActionType.RebaseAutoId, db, info, $"ALTER TABLE {Quote(db.Name.O)}.{Quote(info.Name.O)} AUTO_INCREMENT = {newBase + 1}"));
        }, cancellationToken).ConfigureAwait(false);
        _autoIds.Forget(info.Id);
    }

    /// <summary>
    /// Hands out the next auto id of a table's allocator, reserving <see cref="CatalogOptions.AutoIdBatch"/> ids
    /// from the meta allocator at a time (so ids are unique but not gap-free across clients).
    /// </summary>
    public Task<long> NextAutoIdAsync(long databaseId, long tableId, bool autoRandom = false, CancellationToken cancellationToken = default) =>
        _autoIds.NextAsync(databaseId, tableId, autoRandom, cancellationToken);

    /// <summary>After an explicit value was written to an auto column, makes sure later allocations exceed it.</summary>
    public Task ObserveAutoIdAsync(long databaseId, long tableId, long value, CancellationToken cancellationToken = default) =>
        _autoIds.ObserveAsync(databaseId, tableId, value, cancellationToken);

    /// <summary>Reads a table's current info inside a transaction (the table data API uses this to see schema changes).</summary>
    internal static async Task<TableInfo?> GetTableByIdAsync(Transaction txn, long databaseId, long tableId, CancellationToken cancellationToken)
    {
        var value = await new MetaAccess(txn).HashGetAsync(MetaKeys.DatabaseField(databaseId), MetaKeys.TableField(tableId), cancellationToken).ConfigureAwait(false);
        return value is null ? null : CatalogJson.Deserialize<TableInfo>(value);
    }

    /// <summary>Reads a table's current info at a snapshot.</summary>
    internal async Task<TableInfo?> GetTableByIdAsync(long databaseId, long tableId, ulong? ts, CancellationToken cancellationToken)
    {
        var meta = await ReaderAsync(ts, cancellationToken).ConfigureAwait(false);
        var value = await meta.HashGetAsync(MetaKeys.DatabaseField(databaseId), MetaKeys.TableField(tableId), cancellationToken).ConfigureAwait(false);
        return value is null ? null : CatalogJson.Deserialize<TableInfo>(value);
    }

    /// <summary>Deletes every key in the ranges, in batches of transactions.</summary>
    internal async Task DeleteRangesAsync(IEnumerable<KeyRange> ranges, CancellationToken cancellationToken)
    {
        foreach (var range in ranges)
        {
            while (true)
            {
                var snapshot = await Client.SnapshotAsync(cancellationToken).ConfigureAwait(false);
                var keys = await snapshot.ScanAsync(range.Start, range.End, Options.BatchSize * 4, keyOnly: true, cancellationToken).ConfigureAwait(false);
                if (keys.Count == 0)
                {
                    break;
                }

                await Client.RunInTransactionAsync(txn =>
                {
                    foreach (var pair in keys)
                    {
                        txn.Delete(pair.Key);
                    }

                    return Task.CompletedTask;
                }, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string Quote(string name) => "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";

    private static DdlJob Job(DdlActionType type, DBInfo db, TableInfo table, string query) => new()
    {
        Type = type,
        SchemaId = db.Id,
        TableId = table.Id,
        SchemaName = db.Name.O,
        TableName = table.Name.O,
        Query = query,
        Binlog = new DdlJobBinlog { TableInfo = table },
    };

    private static IndexColumn IndexColumnOf(TableInfo table, string column)
    {
        var info = table.FindColumn(column) ?? throw new CatalogException($"no column {column} in {table.Name}");
        return new IndexColumn { Name = info.Name, Offset = info.Offset };
    }

    private async Task<MetaAccess> ReaderAsync(ulong? ts, CancellationToken cancellationToken)
    {
        var snapshot = ts is { } t
            ? await Client.SnapshotAsync(t, cancellationToken).ConfigureAwait(false)
            : await Client.SnapshotAsync(cancellationToken).ConfigureAwait(false);
        return new MetaAccess(snapshot);
    }

    /// <summary>Runs a DDL body in a transaction; a returned job bumps the schema version and goes into the history.</summary>
    private Task<T> RunDdlAsync<T>(Func<MetaAccess, Task<(T Result, DdlJob? Job)>> body, CancellationToken cancellationToken) =>
        Client.RunInTransactionAsync(async txn =>
        {
            var meta = new MetaAccess(txn);
            var (result, job) = await body(meta).ConfigureAwait(false);
            var version = await meta.IncrementAsync(MetaKeys.SchemaVersionKey, 1, cancellationToken).ConfigureAwait(false);
            if (job is not null)
            {
                var id = await NextIdsAsync(meta, 1, cancellationToken).ConfigureAwait(false);
                job = job with { Id = id, StartTs = txn.StartTs, Binlog = job.Binlog with { SchemaVersion = version, FinishedTs = txn.StartTs } };
                var field = new byte[8];
                BinaryPrimitives.WriteInt64BigEndian(field, id);
                await meta.HashSetAsync(System.Text.Encoding.UTF8.GetBytes(MetaKeys.DdlJobHistory), field, CatalogJson.Serialize(job), cancellationToken).ConfigureAwait(false);
            }

            return result;
        }, cancellationToken);

    private async Task<TableInfo> SetIndexStateAsync(long databaseId, long tableId, long indexId, SchemaState state, string? query, CancellationToken cancellationToken) =>
        await RunDdlAsync(async meta =>
        {
            var dbValue = await meta.HashGetAsync(MetaKeys.Databases, MetaKeys.DatabaseField(databaseId), cancellationToken).ConfigureAwait(false)
                ?? throw new CatalogException($"database {databaseId} was dropped");
            var db = CatalogJson.Deserialize<DBInfo>(dbValue);
            var info = await RequireTableByIdAsync(meta, databaseId, tableId, cancellationToken).ConfigureAwait(false);
            var indexes = state == SchemaState.None
                ? info.Indexes.Where(i => i.Id != indexId).ToArray()
                : info.Indexes.Select(i => i.Id == indexId ? i with { State = state } : i).ToArray();
            var updated = info with { Indexes = indexes, UpdateTimestamp = meta.StartTs };
            await PutTableAsync(meta, databaseId, updated, cancellationToken).ConfigureAwait(false);
            var job = query is null ? null : Job(state == SchemaState.None ? DdlActionType.DropIndex : DdlActionType.AddIndex, db, updated, query);
            return (updated, job);
        }, cancellationToken).ConfigureAwait(false);

    private async Task DeleteTableDataAsync(IEnumerable<long> physicalIds, CancellationToken cancellationToken) =>
        await DeleteRangesAsync(physicalIds.Select(TableCodec.TableRange), cancellationToken).ConfigureAwait(false);

    private static async Task<long> NextIdsAsync(MetaAccess meta, int count, CancellationToken cancellationToken) =>
        await meta.IncrementAsync(MetaKeys.NextGlobalId, count, cancellationToken).ConfigureAwait(false);

    private static async Task<IReadOnlyList<DBInfo>> ListDatabasesAsync(MetaAccess meta, CancellationToken cancellationToken)
    {
        var fields = await meta.HashGetAllAsync(MetaKeys.Databases, cancellationToken).ConfigureAwait(false);
        return fields.Select(f => CatalogJson.Deserialize<DBInfo>(f.Value)).OrderBy(d => d.Id).ToArray();
    }

    private static async Task<DBInfo?> FindDatabaseAsync(MetaAccess meta, string name, CancellationToken cancellationToken)
    {
        var lower = name.ToLowerInvariant();
        var all = await ListDatabasesAsync(meta, cancellationToken).ConfigureAwait(false);
        return all.FirstOrDefault(d => d.Name.L == lower);
    }

    private static async Task<IReadOnlyList<TableInfo>> ListTablesAsync(MetaAccess meta, long databaseId, CancellationToken cancellationToken)
    {
        var fields = await meta.HashGetAllAsync(MetaKeys.DatabaseField(databaseId), cancellationToken).ConfigureAwait(false);
        return fields.Where(f => f.Field.StartsWith(TablePrefix, StringComparison.Ordinal))
            .Select(f => CatalogJson.Deserialize<TableInfo>(f.Value)).OrderBy(t => t.Id).ToArray();
    }

    private static async Task<TableInfo?> FindTableAsync(MetaAccess meta, long databaseId, string name, CancellationToken cancellationToken)
    {
        var lower = name.ToLowerInvariant();
        var all = await ListTablesAsync(meta, databaseId, cancellationToken).ConfigureAwait(false);
        return all.FirstOrDefault(t => t.Name.L == lower);
    }

    private static async Task<DBInfo> RequireDatabaseAsync(MetaAccess meta, string name, CancellationToken cancellationToken) =>
        await FindDatabaseAsync(meta, name, cancellationToken).ConfigureAwait(false) ?? throw new CatalogException($"unknown database {name}");

    private static async Task<(DBInfo, TableInfo)> RequireTableAsync(MetaAccess meta, string database, string name, CancellationToken cancellationToken)
    {
        var db = await RequireDatabaseAsync(meta, database, cancellationToken).ConfigureAwait(false);
        var table = await FindTableAsync(meta, db.Id, name, cancellationToken).ConfigureAwait(false) ?? throw new CatalogException($"unknown table {database}.{name}");
        return (db, table);
    }

    private static async Task<TableInfo> RequireTableByIdAsync(MetaAccess meta, long databaseId, long tableId, CancellationToken cancellationToken)
    {
        var value = await meta.HashGetAsync(MetaKeys.DatabaseField(databaseId), MetaKeys.TableField(tableId), cancellationToken).ConfigureAwait(false)
            ?? throw new CatalogException($"table {tableId} was dropped");
        return CatalogJson.Deserialize<TableInfo>(value);
    }

    /// <summary>Writes one new table, its ids assigned, into the catalog inside a DDL transaction.</summary>
    private static async Task<TableInfo> AddTableAsync(MetaAccess meta, DBInfo db, TableInfo definition, CancellationToken cancellationToken)
    {
        await RequireFreeNameAsync(meta, db, definition.Name.O, cancellationToken).ConfigureAwait(false);
        var table = await TableDefinitions.AssignIdsAsync(meta, definition, cancellationToken).ConfigureAwait(false);
        await PutTableAsync(meta, db.Id, table, cancellationToken).ConfigureAwait(false);
        if (table.AutoIncId > 1)
        {
            await meta.HashSetAsync(MetaKeys.DatabaseField(db.Id), MetaKeys.AutoTableIdField(table.Id), MetaAccess.FormatInt(table.AutoIncId - 1), cancellationToken).ConfigureAwait(false);
        }

        return table;
    }

    private static async Task RequireViewReferencesAsync(MetaAccess meta, DBInfo db, HashSet<string> batchNames, string view, IReadOnlyList<string> references, CancellationToken cancellationToken)
    {
        foreach (var reference in references)
        {
            var dot = reference.IndexOf('.', StringComparison.Ordinal);
            var refDb = reference[..dot];
            var refName = reference[(dot + 1)..];
            if (string.Equals(refDb, db.Name.O, StringComparison.OrdinalIgnoreCase) && batchNames.Contains(refName.ToLowerInvariant()))
            {
                continue;
            }

            var target = await FindDatabaseAsync(meta, refDb, cancellationToken).ConfigureAwait(false);
            if (target is null || await FindTableAsync(meta, target.Id, refName, cancellationToken).ConfigureAwait(false) is null)
            {
                throw new CatalogException($"view {view} references missing {reference}");
            }
        }
    }

    private static async Task RequireFreeNameAsync(MetaAccess meta, DBInfo db, string name, CancellationToken cancellationToken)
    {
        if (await FindTableAsync(meta, db.Id, name, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new CatalogException($"table {db.Name.O}.{name} exists");
        }
    }

    private static Task PutDatabaseAsync(MetaAccess meta, DBInfo db, CancellationToken cancellationToken) =>
        meta.HashSetAsync(MetaKeys.Databases, MetaKeys.DatabaseField(db.Id), CatalogJson.Serialize(db), cancellationToken);

    private static Task PutTableAsync(MetaAccess meta, long databaseId, TableInfo table, CancellationToken cancellationToken) =>
        meta.HashSetAsync(MetaKeys.DatabaseField(databaseId), MetaKeys.TableField(table.Id), CatalogJson.Serialize(table), cancellationToken);

    private static async Task RemoveTableAsync(MetaAccess meta, long databaseId, long tableId, CancellationToken cancellationToken)
    {
        var hash = MetaKeys.DatabaseField(databaseId);
        await meta.HashDeleteAsync(hash, MetaKeys.TableField(tableId), cancellationToken).ConfigureAwait(false);
        await meta.HashDeleteAsync(hash, MetaKeys.AutoTableIdField(tableId), cancellationToken).ConfigureAwait(false);
        await meta.HashDeleteAsync(hash, MetaKeys.AutoRandomIdField(tableId), cancellationToken).ConfigureAwait(false);
    }
}
