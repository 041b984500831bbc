using Cairn.Common.Keys;

namespace Cairn.Client.Catalog;

/// <summary>
/// Turns a CREATE TABLE definition (names, column types, indexes by column name, handle kind, partitions, auto
/// settings) into the table info the catalog stores.
/// </summary>
internal static class TableDefinitions
{
    /// <exception cref="CatalogException">A table or index name is invalid.</exception>
    public static void Validate(TableInfo definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        CatalogNames.Validate(definition.Name.O, "table");
        foreach (var index in definition.Indexes)
        {
            CatalogNames.ValidateIndex(index.Name.O, index.IsPrimary);
        }
    }

    /// <summary>Assigns ids, offsets and states to a definition; ids come from the global allocator.</summary>
    public static async Task<TableInfo> AssignIdsAsync(MetaAccess meta, TableInfo definition, CancellationToken cancellationToken)
    {
        if (definition.Columns.Count == 0)
        {
            throw new CatalogException($"table {definition.Name} has no columns");
        }

        var columns = definition.Columns.Select((c, i) => c with { Id = i + 1, Offset = i, State = SchemaState.Public }).ToList();
        var indexes = new List<IndexInfo>();
        var pkIsHandle = false;
        foreach (var index in definition.Indexes)
        {
            var cols = index.Columns.Select(c =>
            {
                var column = columns.FirstOrDefault(x => x.Name.L == c.Name.L) ?? throw new CatalogException($"index {index.Name} names unknown column {c.Name}");
                return c with { Name = column.Name, Offset = column.Offset };
            }).ToArray();
            if (index.IsPrimary)
            {
                foreach (var c in cols)
                {
                    columns[c.Offset] = columns[c.Offset] with { Type = columns[c.Offset].Type with { Flag = columns[c.Offset].Type.Flag | FieldType.PriKeyFlag | FieldType.NotNullFlag } };
                }

                if (!definition.IsCommonHandle && cols.Length == 1 && columns[cols[0].Offset].Type.IsInteger)
                {
                    // TiDB keeps an int primary key as the handle and stores no separate primary index for it.
                    pkIsHandle = true;
                    continue;
                }
            }

            indexes.Add(index with { Id = indexes.Count + 1, Columns = cols, TableName = definition.Name, State = SchemaState.Public, IsUnique = index.IsUnique || index.IsPrimary });
        }

        if (definition.IsCommonHandle && !indexes.Any(i => i.IsPrimary))
        {
            throw new CatalogException($"clustered table {definition.Name} needs a primary key");
        }

        if (definition.AutoRandomBits > 0 && !pkIsHandle)
        {
            throw new CatalogException($"auto_random on {definition.Name} needs an integer primary key handle");
        }

        var partitionCount = definition.Partition?.Definitions.Count ?? 0;
        if (definition.Partition is { } p && definition.FindColumn(p.Expr) is not { Type.IsInteger: true })
        {
            throw new CatalogException($"partition column {p.Expr} must be an integer column");
        }

        var last = await meta.IncrementAsync(MetaKeys.NextGlobalId, 1 + partitionCount, cancellationToken).ConfigureAwait(false);
        var next = last - partitionCount;
        return definition with
        {
            Id = next++,
            Columns = columns,
            Indexes = indexes,
            PkIsHandle = pkIsHandle,
            MaxColumnId = columns.Count,
            MaxIndexId = indexes.Count,
            State = SchemaState.Public,
            UpdateTimestamp = meta.StartTs,
            Partition = definition.Partition is { } part
                ? part with { Num = part.Definitions.Count, Definitions = part.Definitions.Select(d => d with { Id = next++ }).ToArray() }
                : null,
        };
    }
}
