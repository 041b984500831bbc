using System.Globalization;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;

namespace Cairn.Workloads;

/// <summary>
/// Many tiny tables in one database, for measuring what br does per table: <see cref="Count"/> tables
/// <c>t{i} (id BIGINT PRIMARY KEY, v BIGINT)</c> created through the catalog in batches (one DDL job a batch, no
/// region split), each with <see cref="RowsPerTable"/> rows, written a batch of tables per transaction.
/// </summary>
public sealed class ManyTablesWorkload(CatalogClient catalog)
{
    private const int TablesPerBatch = 256;
    private const int TablesPerWrite = 64;

    /// <summary>Database name.</summary>
    public string Database { get; init; } = "many";

    /// <summary>Number of tables.</summary>
    public int Count { get; init; } = 10_000;

    /// <summary>Rows in each table.</summary>
    public int RowsPerTable { get; init; } = 1;

    /// <summary>Creates the database, the tables and their rows.</summary>
    public async Task LoadAsync(IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Count, nameof(Count));
        ArgumentOutOfRangeException.ThrowIfNegative(RowsPerTable, nameof(RowsPerTable));
        if (await catalog.GetDatabaseAsync(Database, null, cancellationToken).ConfigureAwait(false) is null)
        {
            await catalog.CreateDatabaseAsync(Database, cancellationToken).ConfigureAwait(false);
        }

        var definitions = Enumerable.Range(1, Count).Select(i => new TableInfo
        {
            Name = new CIStr(TableName(i)),
            // A full definition, as CreateTablesAsync keeps it: the BIGINT primary key is the row handle (no index of its own).
            Columns =
            [
                WorkloadColumns.Int("id", FieldType.PriKeyFlag | FieldType.NotNullFlag) with { Id = 1, Offset = 0, State = SchemaState.Public },
                WorkloadColumns.Int("v") with { Id = 2, Offset = 1, State = SchemaState.Public },
            ],
            Indexes = [],
            PkIsHandle = true,
            MaxColumnId = 2,
            State = SchemaState.Public,
        }).ToList();
        await catalog.CreateTablesAsync(Database, definitions, TablesPerBatch, progress, cancellationToken).ConfigureAwait(false);
        if (RowsPerTable == 0)
        {
            return;
        }

        foreach (var chunk in Enumerable.Range(1, Count).Chunk(TablesPerWrite))
        {
            var tables = new List<Table>(chunk.Length);
            foreach (var i in chunk)
            {
                tables.Add(await Table.OpenAsync(catalog, Database, TableName(i), cancellationToken).ConfigureAwait(false));
            }

            await catalog.Client.RunInTransactionAsync(async txn =>
            {
                foreach (var table in tables)
                {
                    var rows = Enumerable.Range(1, RowsPerTable).Select(r => (IReadOnlyDictionary<string, Datum>)new Dictionary<string, Datum>
                    {
                        ["id"] = Datum.FromInt64(r),
                        ["v"] = Datum.FromInt64(r * 7L),
                    }).ToList();
                    await table.InsertManyAsync(txn, rows, cancellationToken).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string TableName(int i) => "t" + i.ToString(CultureInfo.InvariantCulture);
}
