namespace Cairn.Client.Catalog;

/// <summary>What a restore of an incremental backup needs of the catalog beyond ordinary DDL.</summary>
public sealed partial class CatalogClient
{
    /// <summary>
    /// Adds a finished index definition to a table as public at once, without backfilling it: the restore of an
    /// incremental backup brings the index entries itself (every entry of an index created after the previous backup
    /// was written after it, so the incremental holds them all). The definition's id is kept unless the table already
    /// uses it; columns are matched by name. Recorded in the DDL history as an ADD INDEX.
    /// </summary>
    /// <returns>The index as added (its id may differ from the definition's).</returns>
    /// <exception cref="CatalogException">No such table or column, or an index of that name exists.</exception>
    public Task<IndexInfo> AddIndexDefinitionAsync(string database, string table, IndexInfo definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        CatalogNames.ValidateIndex(definition.Name.O, definition.IsPrimary);
        return RunDdlAsync(async meta =>
        {
            var (db, info) = await RequireTableAsync(meta, database, table, cancellationToken).ConfigureAwait(false);
            if (info.FindIndex(definition.Name.O) is not null)
            {
                throw new CatalogException($"index {definition.Name.O} exists on {table}");
            }

            var id = definition.Id > 0 && info.Indexes.All(i => i.Id != definition.Id) ? definition.Id : info.MaxIndexId + 1;
            var index = definition with
            {
                Id = id,
                TableName = info.Name,
                Columns = definition.Columns.Select(c => IndexColumnOf(info, c.Name.O)).ToArray(),
                State = SchemaState.Public,
            };
            var updated = info with { Indexes = [.. info.Indexes, index], MaxIndexId = Math.Max(info.MaxIndexId, id), UpdateTimestamp = meta.StartTs };
            await PutTableAsync(meta, db.Id, updated, cancellationToken).ConfigureAwait(false);
            var columns = string.Join(", ", index.Columns.Select(c => Quote(c.Name.O)));
            return (index, Job(DdlActionType.AddIndex, db, updated,
                $"ALTER TABLE {Quote(db.Name.O)}.{Quote(info.Name.O)} ADD {(index.IsUnique ? "UNIQUE " : "")}INDEX {Quote(index.Name.O)} ({columns})"));
        }, cancellationToken);
    }
}
