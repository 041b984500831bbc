using Cairn.Client.Catalog;
using Cairn.Client.Txn;
using Cairn.Common.Codec;
using Cairn.Common.Keys;

namespace Cairn.Client.Tables;

/// <summary>
/// Row access to one table: insert, upsert, update and delete with index maintenance in the same transaction, point
/// reads by handle, scans and counts at any timestamp. Rows are column values keyed by lower-case column name;
/// tables without an int or clustered primary key expose the hidden handle as <see cref="TableLayout.RowIdColumn"/>.
/// Writes load the table's schema in their transaction and, right before committing, check it did not change since
/// (a DDL waits <see cref="CatalogOptions.SchemaLease"/> between state changes), retrying with the new schema if it did.
/// </summary>
public sealed class Table
{
    private const int CountBatch = 4096;

    private Table(CatalogClient catalog, DBInfo database, TableInfo info)
    {
        Catalog = catalog;
        Database = database;
        Info = info;
    }

    /// <summary>The catalog.</summary>
    public CatalogClient Catalog { get; }

    /// <summary>The database holding the table.</summary>
    public DBInfo Database { get; }

    /// <summary>The table as it was when opened (writes always use the current schema).</summary>
    public TableInfo Info { get; }

    /// <summary>Opens a table by name.</summary>
    /// <exception cref="CatalogException">No such table, or it is a view.</exception>
    public static async Task<Table> OpenAsync(CatalogClient catalog, string database, string table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var db = await catalog.GetDatabaseAsync(database, null, cancellationToken).ConfigureAwait(false) ?? throw new CatalogException($"unknown database {database}");
        var info = await catalog.GetTableAsync(database, table, null, cancellationToken).ConfigureAwait(false) ?? throw new CatalogException($"unknown table {database}.{table}");
        return info.IsView ? throw new CatalogException($"{database}.{table} is a view") : new Table(catalog, db, info);
    }

    /// <summary>Inserts one row in its own transaction and returns its handle.</summary>
    /// <exception cref="DuplicateKeyException">The primary or a unique key exists.</exception>
    public Task<RowHandle> InsertAsync(IReadOnlyDictionary<string, Datum> row, CancellationToken cancellationToken = default) =>
        WriteAsync(txn => InsertAsync(txn, row, cancellationToken), cancellationToken);

    /// <summary>Inserts many rows in one transaction.</summary>
    /// <exception cref="DuplicateKeyException">A primary or unique key exists.</exception>
    public Task<IReadOnlyList<RowHandle>> InsertManyAsync(IEnumerable<IReadOnlyDictionary<string, Datum>> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.ToList();
        return WriteAsync(txn => InsertManyAsync(txn, list, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Inserts many rows inside <paramref name="txn"/>, checking all primary and unique keys with one batched read
    /// (the bulk-load path).
    /// </summary>
    /// <exception cref="DuplicateKeyException">A primary or unique key exists or repeats within the rows.</exception>
    public async Task<IReadOnlyList<RowHandle>> InsertManyAsync(Transaction txn, IReadOnlyList<IReadOnlyDictionary<string, Datum>> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(rows);
        var info = await LoadAsync(txn, cancellationToken).ConfigureAwait(false);
        var prepared = new List<(Dictionary<string, Datum> Row, RowHandle Handle, long PhysicalId, byte[] RecordKey)>(rows.Count);
        long? explicitMax = null;
        foreach (var input in rows)
        {
            var row = new Dictionary<string, Datum>(StringComparer.Ordinal);
            foreach (var (name, value) in input)
            {
                row[name.ToLowerInvariant()] = value;
            }

            if (await FillAutoColumnsAsync(info, row, cancellationToken).ConfigureAwait(false) is { } given)
            {
                explicitMax = Math.Max(explicitMax ?? long.MinValue, given);
            }

            var handle = TableLayout.HandleOf(info, row);
            var physicalId = TableLayout.PhysicalIdOf(info, row);
            prepared.Add((row, handle, physicalId, handle.RecordKey(physicalId)));
        }

        if (explicitMax is { } max)
        {
            await Catalog.ObserveAutoIdAsync(Database.Id, info.Id, max, cancellationToken).ConfigureAwait(false);
        }

        var writable = TableLayout.SecondaryIndexes(info).Where(i => i.State is SchemaState.WriteOnly or SchemaState.WriteReorganization or SchemaState.Public).ToArray();
        var entries = prepared.Select(p => writable.Select(i => TableLayout.IndexEntry(info, p.PhysicalId, i, p.Row, p.Handle)).ToArray()).ToArray();
        var checkKeys = prepared.Select(p => p.RecordKey).Concat(entries.SelectMany(e => e.Where(x => x.Distinct).Select(x => x.Key)));
        var existing = await txn.BatchGetAsync(checkKeys, cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<byte[]>(ByteKeyComparer.Instance);
        for (var r = 0; r < prepared.Count; r++)
        {
            var (row, handle, physicalId, recordKey) = prepared[r];
            if (existing.ContainsKey(recordKey) || !seen.Add(recordKey))
            {
                throw new DuplicateKeyException($"duplicate primary key {handle} in {info.Name}");
            }

            for (var i = 0; i < writable.Length; i++)
            {
                var (key, value, distinct) = entries[r][i];
                if (distinct && ((existing.TryGetValue(key, out var old) && !old.AsSpan().SequenceEqual(value)) || !seen.Add(key)))
                {
                    throw new DuplicateKeyException($"duplicate entry for unique key {writable[i].Name} in {info.Name}");
                }

                txn.Set(key, value);
            }

            txn.Set(recordKey, TableLayout.EncodeRow(info, row));
        }

        return prepared.Select(p => p.Handle).ToArray();
    }

    /// <summary>Inserts or replaces one row in its own transaction.</summary>
    public Task<RowHandle> UpsertAsync(IReadOnlyDictionary<string, Datum> row, CancellationToken cancellationToken = default) =>
        WriteAsync(txn => UpsertAsync(txn, row, cancellationToken), cancellationToken);

    /// <summary>Changes some columns of a row (not its primary key) in its own transaction; false when there is no such row.</summary>
    public Task<bool> UpdateAsync(RowHandle handle, IReadOnlyDictionary<string, Datum> changes, CancellationToken cancellationToken = default) =>
        WriteAsync(txn => UpdateAsync(txn, handle, changes, cancellationToken), cancellationToken);

    /// <summary>Deletes a row in its own transaction; false when there is no such row.</summary>
    public Task<bool> DeleteAsync(RowHandle handle, CancellationToken cancellationToken = default) =>
        WriteAsync(txn => DeleteAsync(txn, handle, cancellationToken), cancellationToken);

    /// <summary>Runs writes of this table in one transaction, retried on conflicts and schema changes.</summary>
    public async Task<T> WriteAsync<T>(Func<Transaction, Task<T>> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return await Catalog.Client.RunInTransactionAsync(async txn =>
        {
            var used = await LoadAsync(txn, cancellationToken).ConfigureAwait(false);
            var result = await body(txn).ConfigureAwait(false);
            var latest = await Catalog.GetTableByIdAsync(Database.Id, Info.Id, null, cancellationToken).ConfigureAwait(false);
            if (latest is null || latest.UpdateTimestamp != used.UpdateTimestamp)
            {
                throw new SchemaChangedException($"schema of {Info.Name} changed during the write");
            }

            return result;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts a row inside <paramref name="txn"/> (use within <see cref="WriteAsync{T}"/>).</summary>
    /// <exception cref="DuplicateKeyException">The primary or a unique key exists.</exception>
    public Task<RowHandle> InsertAsync(Transaction txn, IReadOnlyDictionary<string, Datum> row, CancellationToken cancellationToken = default) =>
        PutAsync(txn, row, replace: false, cancellationToken);

    /// <summary>Inserts or replaces a row inside <paramref name="txn"/>.</summary>
    public Task<RowHandle> UpsertAsync(Transaction txn, IReadOnlyDictionary<string, Datum> row, CancellationToken cancellationToken = default) =>
        PutAsync(txn, row, replace: true, cancellationToken);

    /// <summary>Changes some columns of a row inside <paramref name="txn"/>; false when there is no such row.</summary>
    public async Task<bool> UpdateAsync(Transaction txn, RowHandle handle, IReadOnlyDictionary<string, Datum> changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(changes);
        var info = await LoadAsync(txn, cancellationToken).ConfigureAwait(false);
        var found = await FindAsync(txn, info, handle, cancellationToken).ConfigureAwait(false);
        if (found is not { } f)
        {
            return false;
        }

        var updated = new Dictionary<string, Datum>(f.Row, StringComparer.Ordinal);
        foreach (var (name, value) in changes)
        {
            updated[name.ToLowerInvariant()] = value;
        }

        if (TableLayout.HandleOf(info, updated) != handle
            || TableLayout.PhysicalIdOf(info, updated) != f.PhysicalId)
        {
            throw new ArgumentException("an update cannot change the primary key or partition of a row", nameof(changes));
        }

        await RemoveIndexEntriesAsync(txn, info, f.PhysicalId, f.Row, handle).ConfigureAwait(false);
        await WriteRowAsync(txn, info, f.PhysicalId, updated, handle, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Deletes a row inside <paramref name="txn"/>; false when there is no such row.</summary>
    public async Task<bool> DeleteAsync(Transaction txn, RowHandle handle, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(txn);
        var info = await LoadAsync(txn, cancellationToken).ConfigureAwait(false);
        var found = await FindAsync(txn, info, handle, cancellationToken).ConfigureAwait(false);
        if (found is not { } f)
        {
            return false;
        }

        await RemoveIndexEntriesAsync(txn, info, f.PhysicalId, f.Row, handle).ConfigureAwait(false);
        txn.Delete(handle.RecordKey(f.PhysicalId));
        return true;
    }

    /// <summary>Reads a row inside <paramref name="txn"/>, or null.</summary>
    public async Task<IReadOnlyDictionary<string, Datum>?> GetAsync(Transaction txn, RowHandle handle, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(txn);
        var info = await LoadAsync(txn, cancellationToken).ConfigureAwait(false);
        return (await FindAsync(txn, info, handle, cancellationToken).ConfigureAwait(false))?.Row;
    }

    /// <summary>Reads a row by handle at <paramref name="ts"/> (latest when null), or null.</summary>
    public async Task<IReadOnlyDictionary<string, Datum>?> GetAsync(RowHandle handle, ulong? ts = null, CancellationToken cancellationToken = default)
    {
        var snapshot = await SnapshotAsync(ts, cancellationToken).ConfigureAwait(false);
        var info = await Catalog.GetTableByIdAsync(Database.Id, Info.Id, snapshot.Timestamp, cancellationToken).ConfigureAwait(false) ?? Info;
        foreach (var physicalId in info.PhysicalIds)
        {
            var key = handle.RecordKey(physicalId);
            if (await snapshot.GetAsync(key, cancellationToken).ConfigureAwait(false) is { } value)
            {
                return TableLayout.DecodeRow(info, key, value);
            }
        }

        return null;
    }

    /// <summary>Finds a row's handle through a public unique index at <paramref name="ts"/>, or null.</summary>
    public async Task<RowHandle?> LookupUniqueAsync(string indexName, IReadOnlyList<Datum> values, ulong? ts = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var snapshot = await SnapshotAsync(ts, cancellationToken).ConfigureAwait(false);
        var info = await Catalog.GetTableByIdAsync(Database.Id, Info.Id, snapshot.Timestamp, cancellationToken).ConfigureAwait(false) ?? Info;
        var index = info.FindIndex(indexName) is { IsUnique: true, State: SchemaState.Public } i ? i : throw new CatalogException($"no public unique index {indexName}");
        foreach (var physicalId in info.PhysicalIds)
        {
            if (await snapshot.GetAsync(TableCodec.EncodeIndexKey(physicalId, index.Id, values.ToArray()), cancellationToken).ConfigureAwait(false) is { } value)
            {
                return RowHandle.FromIndexValue(value, info.IsCommonHandle);
            }
        }

        return null;
    }

    /// <summary>Every row at <paramref name="ts"/>, partition by partition, in key order within each.</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, Datum>>> ScanAsync(ulong? ts = null, CancellationToken cancellationToken = default)
    {
        var snapshot = await SnapshotAsync(ts, cancellationToken).ConfigureAwait(false);
        var info = await Catalog.GetTableByIdAsync(Database.Id, Info.Id, snapshot.Timestamp, cancellationToken).ConfigureAwait(false) ?? Info;
        var rows = new List<IReadOnlyDictionary<string, Datum>>();
        foreach (var physicalId in info.PhysicalIds)
        {
            var range = TableCodec.RecordRange(physicalId, info.IsCommonHandle);
            var start = range.Start;
            while (true)
            {
                var batch = await snapshot.ScanAsync(start, range.End, CountBatch, keyOnly: false, cancellationToken).ConfigureAwait(false);
                rows.AddRange(batch.Select(p => TableLayout.DecodeRow(info, p.Key, p.Value)));
                if (batch.Count < CountBatch)
                {
                    break;
                }

                start = KeyBytes.Next(batch[^1].Key);
            }
        }

        return rows;
    }

    /// <summary>Counts the rows at <paramref name="ts"/>.</summary>
    public async Task<long> CountAsync(ulong? ts = null, CancellationToken cancellationToken = default)
    {
        var snapshot = await SnapshotAsync(ts, cancellationToken).ConfigureAwait(false);
        var info = await Catalog.GetTableByIdAsync(Database.Id, Info.Id, snapshot.Timestamp, cancellationToken).ConfigureAwait(false) ?? Info;
        long count = 0;
        foreach (var physicalId in info.PhysicalIds)
        {
            count += await CountRangeAsync(snapshot, TableCodec.RecordRange(physicalId, info.IsCommonHandle), cancellationToken).ConfigureAwait(false);
        }

        return count;
    }

    /// <summary>Counts the entries of an index at <paramref name="ts"/> (consistency checks compare this with <see cref="CountAsync"/>).</summary>
    public async Task<long> CountIndexAsync(string indexName, ulong? ts = null, CancellationToken cancellationToken = default)
    {
        var snapshot = await SnapshotAsync(ts, cancellationToken).ConfigureAwait(false);
        var info = await Catalog.GetTableByIdAsync(Database.Id, Info.Id, snapshot.Timestamp, cancellationToken).ConfigureAwait(false) ?? Info;
        var index = info.FindIndex(indexName) ?? throw new CatalogException($"no index {indexName}");
        long count = 0;
        foreach (var physicalId in info.PhysicalIds)
        {
            count += await CountRangeAsync(snapshot, TableCodec.IndexRange(physicalId, index.Id), cancellationToken).ConfigureAwait(false);
        }

        return count;
    }

    /// <summary>
    /// Checks every row against every public secondary index at <paramref name="ts"/>: each row's index entry exists
    /// with the right value and no index entry lacks its row. Returns the problems found (empty when consistent).
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckIndexesAsync(ulong? ts = null, CancellationToken cancellationToken = default)
    {
        var snapshot = await SnapshotAsync(ts, cancellationToken).ConfigureAwait(false);
        var info = await Catalog.GetTableByIdAsync(Database.Id, Info.Id, snapshot.Timestamp, cancellationToken).ConfigureAwait(false) ?? Info;
        var problems = new List<string>();
        foreach (var physicalId in info.PhysicalIds)
        {
            var records = await ScanAllAsync(snapshot, TableCodec.RecordRange(physicalId, info.IsCommonHandle), cancellationToken).ConfigureAwait(false);
            foreach (var index in TableLayout.SecondaryIndexes(info).Where(i => i.State == SchemaState.Public))
            {
                var entries = (await ScanAllAsync(snapshot, TableCodec.IndexRange(physicalId, index.Id), cancellationToken).ConfigureAwait(false))
                    .ToDictionary(p => Convert.ToHexString(p.Key), p => p.Value);
                foreach (var (key, value) in records)
                {
                    var row = TableLayout.DecodeRow(info, key, value);
                    var (indexKey, indexValue, _) = TableLayout.IndexEntry(info, physicalId, index, row, TableLayout.HandleOf(info, row));
                    if (!entries.Remove(Convert.ToHexString(indexKey), out var actual) || !actual.AsSpan().SequenceEqual(indexValue))
                    {
                        problems.Add($"row {TableLayout.HandleOf(info, row)} lacks its entry in index {index.Name}");
                    }
                }

                problems.AddRange(entries.Keys.Select(k => $"index {index.Name} has an entry without a row: {k}"));
            }
        }

        return problems;
    }

    private static async Task<long> CountRangeAsync(Snapshot snapshot, KeyRange range, CancellationToken cancellationToken)
    {
        long count = 0;
        var start = range.Start;
        while (true)
        {
            var batch = await snapshot.ScanAsync(start, range.End, CountBatch, keyOnly: true, cancellationToken).ConfigureAwait(false);
            count += batch.Count;
            if (batch.Count < CountBatch)
            {
                return count;
            }

            start = KeyBytes.Next(batch[^1].Key);
        }
    }

    private static async Task<List<KeyValuePair<byte[], byte[]>>> ScanAllAsync(Snapshot snapshot, KeyRange range, CancellationToken cancellationToken)
    {
        var result = new List<KeyValuePair<byte[], byte[]>>();
        var start = range.Start;
        while (true)
        {
            var batch = await snapshot.ScanAsync(start, range.End, CountBatch, keyOnly: false, cancellationToken).ConfigureAwait(false);
            result.AddRange(batch);
            if (batch.Count < CountBatch)
            {
                return result;
            }

            start = KeyBytes.Next(batch[^1].Key);
        }
    }

    private Task<Snapshot> SnapshotAsync(ulong? ts, CancellationToken cancellationToken) =>
        ts is { } t ? Catalog.Client.SnapshotAsync(t, cancellationToken) : Catalog.Client.SnapshotAsync(cancellationToken);

    private async Task<TableInfo> LoadAsync(Transaction txn, CancellationToken cancellationToken) =>
        await CatalogClient.GetTableByIdAsync(txn, Database.Id, Info.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new CatalogException($"table {Database.Name}.{Info.Name} was dropped");

    private static async Task<(long PhysicalId, Dictionary<string, Datum> Row)?> FindAsync(Transaction txn, TableInfo info, RowHandle handle, CancellationToken cancellationToken)
    {
        foreach (var physicalId in info.PhysicalIds)
        {
            var key = handle.RecordKey(physicalId);
            if (await txn.GetAsync(key, cancellationToken).ConfigureAwait(false) is { } value)
            {
                return (physicalId, TableLayout.DecodeRow(info, key, value));
            }
        }

        return null;
    }

    private async Task<RowHandle> PutAsync(Transaction txn, IReadOnlyDictionary<string, Datum> input, bool replace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(input);
        var info = await LoadAsync(txn, cancellationToken).ConfigureAwait(false);
        var row = new Dictionary<string, Datum>(StringComparer.Ordinal);
        foreach (var (name, value) in input)
        {
            row[name.ToLowerInvariant()] = value;
        }

        if (await FillAutoColumnsAsync(info, row, cancellationToken).ConfigureAwait(false) is { } given)
        {
            await Catalog.ObserveAutoIdAsync(Database.Id, info.Id, given, cancellationToken).ConfigureAwait(false);
        }

        var handle = TableLayout.HandleOf(info, row);
        var physicalId = TableLayout.PhysicalIdOf(info, row);
        var recordKey = handle.RecordKey(physicalId);
        if (await txn.GetAsync(recordKey, cancellationToken).ConfigureAwait(false) is { } old)
        {
            if (!replace)
            {
                throw new DuplicateKeyException($"duplicate primary key {handle} in {info.Name}");
            }

            await RemoveIndexEntriesAsync(txn, info, physicalId, TableLayout.DecodeRow(info, recordKey, old), handle).ConfigureAwait(false);
        }

        await WriteRowAsync(txn, info, physicalId, row, handle, cancellationToken).ConfigureAwait(false);
        return handle;
    }

    /// <summary>Fills missing auto columns; returns the largest explicit AUTO_INCREMENT value given, which the caller must observe.</summary>
    private async Task<long?> FillAutoColumnsAsync(TableInfo info, Dictionary<string, Datum> row, CancellationToken cancellationToken)
    {
        long? explicitMax = null;
        foreach (var column in info.Columns.Where(c => (c.Type.Flag & FieldType.AutoIncrementFlag) != 0 || (info.AutoRandomBits > 0 && (c.Type.Flag & FieldType.PriKeyFlag) != 0)))
        {
            var value = TableLayout.Value(row, column.Name.L);
            if (!value.IsNull)
            {
                if ((column.Type.Flag & FieldType.AutoIncrementFlag) != 0)
                {
                    explicitMax = Math.Max(explicitMax ?? long.MinValue, value.Int64);
                }

                continue;
            }

            if (info.AutoRandomBits > 0 && (column.Type.Flag & FieldType.PriKeyFlag) != 0)
            {
                var id = await Catalog.NextAutoIdAsync(Database.Id, info.Id, autoRandom: true, cancellationToken).ConfigureAwait(false);
                // Shard bits go just below the sign bit so consecutive inserts spread over the key space.
                var shardShift = 63 - info.AutoRandomBits;
                var shard = (long)Random.Shared.NextInt64(1L << info.AutoRandomBits);
                row[column.Name.L] = Datum.FromInt64((shard << shardShift) | (id & ((1L << shardShift) - 1)));
            }
            else
            {
                row[column.Name.L] = Datum.FromInt64(await Catalog.NextAutoIdAsync(Database.Id, info.Id, false, cancellationToken).ConfigureAwait(false));
            }
        }

        if (!info.PkIsHandle && !info.IsCommonHandle && TableLayout.Value(row, TableLayout.RowIdColumn).IsNull)
        {
            row[TableLayout.RowIdColumn] = Datum.FromInt64(await Catalog.NextAutoIdAsync(Database.Id, info.Id, false, cancellationToken).ConfigureAwait(false));
        }

        return explicitMax;
    }

    private static Task RemoveIndexEntriesAsync(Transaction txn, TableInfo info, long physicalId, IReadOnlyDictionary<string, Datum> row, RowHandle handle)
    {
        foreach (var index in TableLayout.SecondaryIndexes(info).Where(i => i.State != SchemaState.None))
        {
            txn.Delete(TableLayout.IndexEntry(info, physicalId, index, row, handle).Key);
        }

        return Task.CompletedTask;
    }

    private static async Task WriteRowAsync(Transaction txn, TableInfo info, long physicalId, Dictionary<string, Datum> row, RowHandle handle, CancellationToken cancellationToken)
    {
        foreach (var index in TableLayout.SecondaryIndexes(info).Where(i => i.State is SchemaState.WriteOnly or SchemaState.WriteReorganization or SchemaState.Public))
        {
            var (key, value, distinct) = TableLayout.IndexEntry(info, physicalId, index, row, handle);
            if (distinct && await txn.GetAsync(key, cancellationToken).ConfigureAwait(false) is { } existing && !existing.AsSpan().SequenceEqual(value))
            {
                throw new DuplicateKeyException($"duplicate entry for unique key {index.Name} in {info.Name}");
            }

            txn.Set(key, value);
        }

        txn.Set(handle.RecordKey(physicalId), TableLayout.EncodeRow(info, row));
    }
}
