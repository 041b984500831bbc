using System.Globalization;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;

namespace Cairn.Workloads;

/// <summary>
/// A catalog with the awkward cases a backup must carry: range- and hash-partitioned tables, a view over a view,
/// an auto_random table, clustered and non-clustered primary keys, 10 KiB index keys, rows whose values exceed 64
/// bytes (default CF), an empty database, and unicode and backquoted names. <see cref="VerifyAsync"/> checks every
/// table's rows and indexes and every view's definition.
/// </summary>
public sealed class CatalogZooWorkload(CatalogClient catalog)
{
    /// <summary>Name of the database holding the zoo.</summary>
    public string Database { get; init; } = "zoo";

    /// <summary>Name of the empty database.</summary>
    public string EmptyDatabase => Database + "_empty";

    /// <summary>Name of the database with a unicode name.</summary>
    public string UnicodeDatabase => Database + "_ünïcødé_数据";

    /// <summary>Rows per table.</summary>
    public int Rows { get; init; } = 64;

    /// <summary>Expected row counts by table name, filled by <see cref="LoadAsync"/>.</summary>
    public IReadOnlyDictionary<string, int> ExpectedRows => _expected;

    private readonly Dictionary<string, int> _expected = new(StringComparer.Ordinal);

    /// <summary>Creates the databases, tables and views and loads the rows.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Rows, nameof(Rows));
        await catalog.CreateDatabaseAsync(Database, cancellationToken).ConfigureAwait(false);
        await catalog.CreateDatabaseAsync(EmptyDatabase, cancellationToken).ConfigureAwait(false);
        await catalog.CreateDatabaseAsync(UnicodeDatabase, cancellationToken).ConfigureAwait(false);

        var definitions = new (string Db, TableInfo Info, Func<int, Dictionary<string, Datum>> Row)[]
        {
            (Database, new TableInfo
            {
                Name = new CIStr("range_part"),
                Columns = [WorkloadColumns.Int("id"), WorkloadColumns.Text("v")],
                Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id"), WorkloadColumns.Index("v_idx", false, false, "v")],
                Partition = new PartitionInfo
                {
                    Type = PartitionType.Range,
                    Expr = "id",
                    Definitions =
                    [
                        new PartitionDefinition { Name = new CIStr("p0"), LessThan = ["16"] },
                        new PartitionDefinition { Name = new CIStr("p1"), LessThan = ["32"] },
                        new PartitionDefinition { Name = new CIStr("pmax"), LessThan = ["MAXVALUE"] },
                    ],
                },
            }, i => new() { ["id"] = Datum.FromInt64(i), ["v"] = Datum.FromString($"r{i}") }),
            (Database, new TableInfo
            {
                Name = new CIStr("hash_part"),
                Columns = [WorkloadColumns.Int("id"), WorkloadColumns.Int("n")],
                Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id"), WorkloadColumns.Index("n_uk", true, false, "n")],
                Partition = new PartitionInfo
                {
                    Type = PartitionType.Hash,
                    Expr = "id",
                    Definitions = Enumerable.Range(0, 4).Select(p => new PartitionDefinition { Name = new CIStr($"p{p}") }).ToArray(),
                },
            }, i => new() { ["id"] = Datum.FromInt64(i), ["n"] = Datum.FromInt64(-i) }),
            (Database, new TableInfo
            {
                Name = new CIStr("auto_rand"),
                AutoRandomBits = 5,
                Columns = [WorkloadColumns.Int("id"), WorkloadColumns.Text("v")],
                Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id")],
            }, i => new() { ["v"] = Datum.FromString($"a{i}") }),
            (Database, new TableInfo
            {
                Name = new CIStr("clustered"),
                IsCommonHandle = true,
                Columns = [WorkloadColumns.Text("code", 64), WorkloadColumns.Int("seq"), WorkloadColumns.Int("amount")],
                Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "code", "seq"), WorkloadColumns.Index("amount_idx", false, false, "amount")],
            }, i => new() { ["code"] = Datum.FromString($"c{i % 5}"), ["seq"] = Datum.FromInt64(i), ["amount"] = Datum.FromInt64(i * 10) }),
            (Database, new TableInfo
            {
                Name = new CIStr("nonclustered"),
                Columns = [WorkloadColumns.Text("code", 64), WorkloadColumns.Text("v")],
                Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "code")],
            }, i => new() { ["code"] = Datum.FromString($"n{i}"), ["v"] = Datum.FromString("x") }),
            (Database, new TableInfo
            {
                Name = new CIStr("long_keys"),
                Columns = [WorkloadColumns.Int("id", FieldType.AutoIncrementFlag), WorkloadColumns.Text("doc", 16384)],
                Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id"), WorkloadColumns.Index("doc_idx", false, false, "doc")],
            }, i => new() { ["doc"] = Datum.FromString(i.ToString("D6", CultureInfo.InvariantCulture) + new string((char)('a' + (i % 26)), 10 * 1024)) }),
            (Database, new TableInfo
            {
                Name = new CIStr("big_values"),
                Columns = [WorkloadColumns.Int("id"), WorkloadColumns.Text("payload", 4096)],
                Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id")],
            }, i => new() { ["id"] = Datum.FromInt64(i), ["payload"] = Datum.FromString(new string('p', 100 + i * 17)) }),
            (Database, new TableInfo
            {
                Name = new CIStr("we`ird.name"),
                Columns = [WorkloadColumns.Int("id"), WorkloadColumns.Text("sp ace`col")],
                Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id"), WorkloadColumns.Index("odd`idx", false, false, "sp ace`col")],
            }, i => new() { ["id"] = Datum.FromInt64(i), ["sp ace`col"] = Datum.FromString($"w{i}") }),
            (UnicodeDatabase, new TableInfo
            {
                Name = new CIStr("表_ünï"),
                Columns = [WorkloadColumns.Int("id"), WorkloadColumns.Text("名前")],
                Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id"), WorkloadColumns.Index("名前_idx", false, false, "名前")],
            }, i => new() { ["id"] = Datum.FromInt64(i), ["名前"] = Datum.FromString($"値{i}✓") }),
        };

        foreach (var (db, info, row) in definitions)
        {
            await catalog.CreateTableAsync(db, info, cancellationToken).ConfigureAwait(false);
            var table = await Table.OpenAsync(catalog, db, info.Name.O, cancellationToken).ConfigureAwait(false);
            await table.InsertManyAsync(Enumerable.Range(0, Rows).Select(i => (IReadOnlyDictionary<string, Datum>)row(i)), cancellationToken).ConfigureAwait(false);
            _expected[db + "." + info.Name.O] = Rows;
        }

        await catalog.CreateViewAsync(Database, "v_base", $"SELECT id, v FROM `{Database}`.`range_part` WHERE id < 32", ["id", "v"], [$"{Database}.range_part"], cancellationToken).ConfigureAwait(false);
        await catalog.CreateViewAsync(Database, "v_over_v", $"SELECT v FROM `{Database}`.`v_base`", ["v"], [$"{Database}.v_base"], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks databases, tables (row counts, index consistency), partitions and views. Returns the problems found.</summary>
    public async Task<IReadOnlyList<string>> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        var empty = await catalog.GetDatabaseAsync(EmptyDatabase, null, cancellationToken).ConfigureAwait(false);
        if (empty is null)
        {
            problems.Add($"database {EmptyDatabase} is missing");
        }
        else if ((await catalog.ListTablesAsync(empty.Id, null, cancellationToken).ConfigureAwait(false)).Count != 0)
        {
            problems.Add($"database {EmptyDatabase} is not empty");
        }

        var expected = _expected.Count > 0 ? _expected : await DiscoverAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (qualified, rows) in expected)
        {
            var dot = qualified.IndexOf('.', StringComparison.Ordinal);
            var db = qualified[..dot];
            var name = qualified[(dot + 1)..];
            Table table;
            try
            {
                table = await Table.OpenAsync(catalog, db, name, cancellationToken).ConfigureAwait(false);
            }
            catch (CatalogException e)
            {
                problems.Add(e.Message);
                continue;
            }

            var count = await table.CountAsync(null, cancellationToken).ConfigureAwait(false);
            if (count != rows)
            {
                problems.Add($"{qualified}: {count} rows, expected {rows}");
            }

            problems.AddRange((await table.CheckIndexesAsync(null, cancellationToken).ConfigureAwait(false)).Select(p => $"{qualified}: {p}"));
        }

        var view = await catalog.GetTableAsync(Database, "v_over_v", null, cancellationToken).ConfigureAwait(false);
        if (view?.View?.References is not [var reference] || reference != $"{Database}.v_base")
        {
            problems.Add("view v_over_v is missing or does not reference v_base");
        }

        if (await catalog.GetTableAsync(Database, "v_base", null, cancellationToken).ConfigureAwait(false) is not { IsView: true })
        {
            problems.Add("view v_base is missing");
        }

        if (await catalog.GetTableAsync(Database, "range_part", null, cancellationToken).ConfigureAwait(false) is not { Partition.Definitions.Count: 3 } ranged)
        {
            problems.Add("range_part lost its partitions");
        }
        else if (ranged.PhysicalIds.Distinct().Count() != 3)
        {
            problems.Add("range_part partitions share physical ids");
        }

        return problems;
    }

    // After a restore into a fresh process the expected counts come from the catalog itself: every zoo table holds Rows rows.
    private async Task<Dictionary<string, int>> DiscoverAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var dbName in new[] { Database, UnicodeDatabase })
        {
            var db = await catalog.GetDatabaseAsync(dbName, null, cancellationToken).ConfigureAwait(false);
            if (db is null)
            {
                result[dbName + ".?"] = Rows;
                continue;
            }

            foreach (var table in await catalog.ListTablesAsync(db.Id, null, cancellationToken).ConfigureAwait(false))
            {
                if (!table.IsView)
                {
                    result[dbName + "." + table.Name.O] = Rows;
                }
            }
        }

        return result;
    }
}
