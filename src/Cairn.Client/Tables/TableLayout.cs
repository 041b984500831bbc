using System.Globalization;
using Cairn.Client.Catalog;
using Cairn.Common.Codec;
using Cairn.Common.Keys;

namespace Cairn.Client.Tables;

/// <summary>How a table's rows map to keys: handles, partitions, record and index entries.</summary>
public static class TableLayout
{
    /// <summary>Name of the hidden row id column of tables without an int or clustered primary key.</summary>
    public const string RowIdColumn = "_tidb_rowid";

    /// <summary>The integer primary-key column that is the handle, when <see cref="TableInfo.PkIsHandle"/>.</summary>
    public static ColumnInfo? HandleColumn(TableInfo table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return table.PkIsHandle ? table.Columns.First(c => (c.Type.Flag & FieldType.PriKeyFlag) != 0) : null;
    }

    /// <summary>The primary index of a clustered (common handle) table.</summary>
    public static IndexInfo? PrimaryIndex(TableInfo table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return table.Indexes.FirstOrDefault(i => i.IsPrimary);
    }

    /// <summary>Indexes stored as separate index entries (all but a clustered primary key).</summary>
    public static IEnumerable<IndexInfo> SecondaryIndexes(TableInfo table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return table.Indexes.Where(i => !(i.IsPrimary && table.IsCommonHandle));
    }

    /// <summary>The handle of a full row (columns keyed by lower-case name; the hidden row id under <see cref="RowIdColumn"/>).</summary>
    public static RowHandle HandleOf(TableInfo table, IReadOnlyDictionary<string, Datum> row)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(row);
        if (table.IsCommonHandle)
        {
            var pk = PrimaryIndex(table) ?? throw new InvalidOperationException("clustered table without a primary index");
            return new RowHandle(0, pk.Columns.Select(c => Value(row, c.Name.L)).ToArray());
        }

        var name = HandleColumn(table)?.Name.L ?? RowIdColumn;
        var value = Value(row, name);
        return value.IsNull ? throw new ArgumentException($"row has no value for handle column {name}") : new RowHandle(value.Int64, null);
    }

    /// <summary>The physical table (partition) a row belongs to.</summary>
    public static long PhysicalIdOf(TableInfo table, IReadOnlyDictionary<string, Datum> row)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(row);
        if (table.Partition is not { } partition)
        {
            return table.Id;
        }

        var value = Value(row, partition.Expr.ToLowerInvariant());
        var key = value.IsNull ? long.MinValue : value.Int64;
        if (partition.Type == PartitionType.Hash)
        {
            var count = partition.Definitions.Count;
            return partition.Definitions[(int)(((key % count) + count) % count)].Id;
        }

        foreach (var definition in partition.Definitions)
        {
            var bound = definition.LessThan is { Count: > 0 } b ? b[0] : "MAXVALUE";
            if (bound.Equals("MAXVALUE", StringComparison.OrdinalIgnoreCase) || key < long.Parse(bound, CultureInfo.InvariantCulture))
            {
                return definition.Id;
            }
        }

        throw new ArgumentException($"table {table.Name} has no partition for value {key}");
    }

    /// <summary>The index entry (key and value) of a row; unique indexes key by values only unless a value is NULL.</summary>
    public static (byte[] Key, byte[] Value, bool Distinct) IndexEntry(TableInfo table, long physicalId, IndexInfo index, IReadOnlyDictionary<string, Datum> row, RowHandle handle)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(index);
        var values = index.Columns.Select(c => Value(row, c.Name.L)).ToArray();
        if (index.IsUnique && values.All(v => !v.IsNull))
        {
            return (TableCodec.EncodeIndexKey(physicalId, index.Id, values), handle.IndexValue(), true);
        }

        var key = handle.Common is { } common
            ? TableCodec.EncodeIndexKey(physicalId, index.Id, values, common)
            : TableCodec.EncodeIndexKey(physicalId, index.Id, values, handle.Int);
        return (key, [(byte)'0'], false);
    }

    /// <summary>Encodes a row's value (every column but the hidden row id).</summary>
    public static byte[] EncodeRow(TableInfo table, IReadOnlyDictionary<string, Datum> row)
    {
        ArgumentNullException.ThrowIfNull(table);
        return RowCodec.Encode(table.Columns.Select(c => KeyValuePair.Create(c.Id, Value(row, c.Name.L))));
    }

    /// <summary>Decodes a row value back to columns by lower-case name, adding the hidden row id for int-handle tables without an int primary key.</summary>
    public static Dictionary<string, Datum> DecodeRow(TableInfo table, ReadOnlySpan<byte> recordKey, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(table);
        var byId = RowCodec.Decode(value);
        var row = new Dictionary<string, Datum>(StringComparer.Ordinal);
        foreach (var column in table.Columns)
        {
            row[column.Name.L] = byId.TryGetValue(column.Id, out var v) ? v : Datum.Null;
        }

        if (!table.PkIsHandle && !table.IsCommonHandle)
        {
            row[RowIdColumn] = Datum.FromInt64(TableCodec.DecodeRecordKey(recordKey).Handle);
        }

        return row;
    }

    /// <summary>A column's value in a row, NULL when absent.</summary>
    public static Datum Value(IReadOnlyDictionary<string, Datum> row, string lowerName)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.TryGetValue(lowerName, out var v) ? v : Datum.Null;
    }
}
