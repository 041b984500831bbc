using System.Globalization;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;
using Cairn.Workloads.Bulk;

namespace Cairn.Workloads;

/// <summary>
/// A sysbench-like data set: <see cref="Tables"/> tables <c>sbtest{i}</c> of <see cref="Rows"/> rows
/// <c>(id BIGINT PRIMARY KEY AUTO_INCREMENT, k BIGINT, c VARCHAR(120), pad VARCHAR(60), KEY k_1(k))</c>, about 200
/// bytes a row, bulk loaded in transactions of <see cref="BatchSize"/> rows.
/// </summary>
public sealed class SysbenchWorkload(CatalogClient catalog)
{
    /// <summary>Database name.</summary>
    public string Database { get; init; } = "sbtest";

    /// <summary>Number of tables.</summary>
    public int Tables { get; init; } = 4;

    /// <summary>Rows per table.</summary>
    public int Rows { get; init; } = 10_000;

    /// <summary>Rows per load transaction.</summary>
    public int BatchSize { get; init; } = 2_000;

    /// <summary>Creates the database and tables and loads the rows (row ids 1..Rows, deterministic content).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        // Checked before anything is created; a batch of 0 would never advance.
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Tables, nameof(Tables));
        ArgumentOutOfRangeException.ThrowIfNegative(Rows, nameof(Rows));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        if (await catalog.GetDatabaseAsync(Database, null, cancellationToken).ConfigureAwait(false) is null)
        {
            await catalog.CreateDatabaseAsync(Database, cancellationToken).ConfigureAwait(false);
        }

        for (var t = 1; t <= Tables; t++)
        {
            var name = TableName(t);
            await catalog.CreateTableAsync(Database, Definition(name), cancellationToken).ConfigureAwait(false);
            var table = await Table.OpenAsync(catalog, Database, name, cancellationToken).ConfigureAwait(false);
            for (var start = 1; start <= Rows; start += BatchSize)
            {
                var end = Math.Min(Rows, start + BatchSize - 1);
                await table.InsertManyAsync(Enumerable.Range(start, end - start + 1).Select(Row), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Creates the database and the same tables as <see cref="LoadAsync"/> and loads the same rows without
    /// transactions, through sorted SST files and the stores' import service (<see cref="BulkLoader"/>).
    /// </summary>
    public async Task<BulkLoadResult> BulkLoadAsync(BulkLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Tables, nameof(Tables));
        ArgumentOutOfRangeException.ThrowIfNegative(Rows, nameof(Rows));
        if (await catalog.GetDatabaseAsync(Database, null, cancellationToken).ConfigureAwait(false) is null)
        {
            await catalog.CreateDatabaseAsync(Database, cancellationToken).ConfigureAwait(false);
        }

        var tables = new List<BulkTable>();
        for (var t = 1; t <= Tables; t++)
        {
            var name = TableName(t);
            await catalog.CreateTableAsync(Database, Definition(name), cancellationToken).ConfigureAwait(false);
            tables.Add(new BulkTable(Database, name, Rows, n => Row((int)n + 1)));
        }

        return await new BulkLoader(catalog, options).LoadAsync(tables, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks every table: row count, row content and index consistency. Returns the problems found.</summary>
    public async Task<IReadOnlyList<string>> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        for (var t = 1; t <= Tables; t++)
        {
            var table = await Table.OpenAsync(catalog, Database, TableName(t), cancellationToken).ConfigureAwait(false);
            var count = await table.CountAsync(null, cancellationToken).ConfigureAwait(false);
            if (count != Rows)
            {
                problems.Add($"{table.Info.Name}: {count} rows, expected {Rows}");
            }

            bool? mutated = null;
            foreach (var id in new[] { 1, Rows / 2, Rows }.Where(i => i >= 1).Distinct())
            {
                var row = await table.GetAsync(new RowHandle(id, null), null, cancellationToken).ConfigureAwait(false);
                var expected = Row(id);
                if (row is not null && row["c"].Equals(expected["c"]) && row["k"].Equals(expected["k"]))
                {
                    continue;
                }

                // After --mutate a row may be updated (its c marked) or deleted (and a row above the loaded ids inserted).
                mutated ??= await IsMutatedAsync(table, cancellationToken).ConfigureAwait(false);
                var explained = mutated.Value && (row is null || (row["c"].Kind == DatumKind.Bytes && row["c"].Bytes.StartsWith(MutatedPrefixBytes)));
                if (!explained)
                {
                    problems.Add($"{table.Info.Name}: row {id} is missing or wrong");
                }
            }

            problems.AddRange((await table.CheckIndexesAsync(null, cancellationToken).ConfigureAwait(false)).Select(p => $"{table.Info.Name}: {p}"));
        }

        return problems;
    }

    private static ReadOnlySpan<byte> MutatedPrefixBytes => "mutated-"u8;

    private async Task<bool> IsMutatedAsync(Table table, CancellationToken cancellationToken) =>
        (await table.ScanAsync(null, cancellationToken).ConfigureAwait(false)).Any(r => r["id"].Int64 > Rows);

    private static TableInfo Definition(string name) => new()
    {
        Name = new CIStr(name),
        Columns = [WorkloadColumns.Int("id", FieldType.AutoIncrementFlag), WorkloadColumns.Int("k"), WorkloadColumns.Text("c", 120), WorkloadColumns.Text("pad", 60)],
        Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id"), WorkloadColumns.Index("k_1", false, false, "k")],
    };

    private static string TableName(int t) => "sbtest" + t.ToString(CultureInfo.InvariantCulture);

    private static IReadOnlyDictionary<string, Datum> Row(int id)
    {
        var random = new Random(id);
        var c = string.Join('-', Enumerable.Range(0, 10).Select(_ => random.NextInt64(10_000_000_000L, 99_999_999_999L).ToString(CultureInfo.InvariantCulture)));
        var pad = string.Join('-', Enumerable.Range(0, 5).Select(_ => random.NextInt64(10_000_000_000L, 99_999_999_999L).ToString(CultureInfo.InvariantCulture)));
        return new Dictionary<string, Datum>
        {
            ["id"] = Datum.FromInt64(id),
            ["k"] = Datum.FromInt64(random.Next(1, 1_000_000)),
            ["c"] = Datum.FromString(c),
            ["pad"] = Datum.FromString(pad),
        };
    }
}
