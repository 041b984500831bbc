using System.Text;
using System.Text.Json;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;
using Cairn.Common.Keys;
using static Cairn.Client.Tests.CatalogSpecs;

namespace Cairn.Client.Tests;

public sealed class CatalogTests(CatalogClusterFixture fixture) : IClassFixture<CatalogClusterFixture>
{
    private CatalogClient Catalog => fixture.Catalog;

    [Fact]
    public async Task Create_database_and_table_store_TiDB_style_json_under_meta_keys()
    {
        var versionBefore = await Catalog.GetSchemaVersionAsync();
        var db = await Catalog.CreateDatabaseAsync("Cat_Json");
        var table = await Catalog.CreateTableAsync("cat_json", Sbtest("T1"));

        Assert.True(table.PkIsHandle);
        Assert.DoesNotContain(table.Indexes, i => i.IsPrimary);
        Assert.Equal([1L, 2L], table.Indexes.Select(i => i.Id));
        Assert.Equal(2, await Catalog.GetSchemaVersionAsync() - versionBefore);

        // Raw meta keys hold the JSON with TiDB's field names.
        var snapshot = await fixture.Client.SnapshotAsync();
        var dbJson = await snapshot.GetAsync(MetaKeys.HashFieldKey(MetaKeys.Databases, MetaKeys.DatabaseField(db.Id)));
        Assert.NotNull(dbJson);
        using var dbDoc = JsonDocument.Parse(dbJson);
        Assert.Equal(db.Id, dbDoc.RootElement.GetProperty("id").GetInt64());
        Assert.Equal("Cat_Json", dbDoc.RootElement.GetProperty("db_name").GetProperty("O").GetString());
        Assert.Equal("cat_json", dbDoc.RootElement.GetProperty("db_name").GetProperty("L").GetString());

        var tableJson = await snapshot.GetAsync(MetaKeys.HashFieldKey(MetaKeys.DatabaseField(db.Id), MetaKeys.TableField(table.Id)));
        Assert.NotNull(tableJson);
        using var doc = JsonDocument.Parse(tableJson);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("pk_is_handle").GetBoolean());
        Assert.Equal("c", root.GetProperty("cols")[2].GetProperty("name").GetProperty("L").GetString());
        Assert.Equal(FieldType.TypeVarchar, root.GetProperty("cols")[2].GetProperty("type").GetProperty("Tp").GetInt32());
        Assert.Equal("c_uk", root.GetProperty("index_info")[1].GetProperty("idx_name").GetProperty("O").GetString());
        Assert.True(root.GetProperty("index_info")[1].GetProperty("is_unique").GetBoolean());
        Assert.Equal(5, root.GetProperty("state").GetInt32());

        // The hash meta key counts fields.
        var count = await snapshot.GetAsync(MetaKeys.HashMetaKey(MetaKeys.DatabaseField(db.Id)));
        Assert.Equal(1, MetaKeys.DecodeHashMetaValue(count));

        var jobs = await Catalog.ListDdlJobsAsync();
        var create = Assert.Single(jobs, j => j.TableId == table.Id);
        Assert.Equal(DdlActionType.CreateTable, create.Type);
        Assert.Equal(db.Id, create.SchemaId);
        Assert.Equal("T1", create.Binlog.TableInfo!.Name.O);
        Assert.Contains("CREATE TABLE", create.Query, StringComparison.Ordinal);
        Assert.True(await Catalog.GetGlobalIdAsync() >= create.Id);
    }

    [Fact]
    public void Unknown_json_fields_survive_a_round_trip()
    {
        const string json = """{"id":7,"db_name":{"O":"X","L":"x"},"charset":"utf8mb4","collate":"utf8mb4_bin","state":5,"placement_policy":{"id":3}}""";
        var db = CatalogJson.Deserialize<DBInfo>(Encoding.UTF8.GetBytes(json));
        using var back = JsonDocument.Parse(CatalogJson.Serialize(db));
        Assert.Equal(3, back.RootElement.GetProperty("placement_policy").GetProperty("id").GetInt32());
        Assert.Equal(7, back.RootElement.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Reads_at_an_older_timestamp_see_the_old_schema()
    {
        await Catalog.CreateDatabaseAsync("cat_old");
        await Catalog.CreateTableAsync("cat_old", Sbtest("a"));
        var before = (await fixture.Client.SnapshotAsync()).Timestamp;

        await Catalog.RenameTableAsync("cat_old", "a", "cat_old", "b");
        await Catalog.CreateTableAsync("cat_old", Sbtest("c"));
        await Catalog.DropTableAsync("cat_old", "c");

        Assert.NotNull(await Catalog.GetTableAsync("cat_old", "a", before));
        Assert.Null(await Catalog.GetTableAsync("cat_old", "b", before));
        Assert.Null(await Catalog.GetTableAsync("cat_old", "a"));
        var db = (await Catalog.GetDatabaseAsync("cat_old"))!;
        Assert.Equal(["b"], (await Catalog.ListTablesAsync(db.Id)).Select(t => t.Name.O));
        Assert.Equal(["a"], (await Catalog.ListTablesAsync(db.Id, before)).Select(t => t.Name.O));
        Assert.True(await Catalog.GetSchemaVersionAsync() > await Catalog.GetSchemaVersionAsync(before));
    }

    [Fact]
    public async Task Drop_database_removes_it_and_its_tables_data()
    {
        await Catalog.CreateDatabaseAsync("cat_drop");
        var info = await Catalog.CreateTableAsync("cat_drop", Sbtest("t"));
        var table = await Table.OpenAsync(Catalog, "cat_drop", "t");
        await table.InsertAsync(new Dictionary<string, Datum> { ["k"] = Datum.FromInt64(1), ["c"] = Datum.FromString("x") });
        var beforeDrop = (await fixture.Client.SnapshotAsync()).Timestamp;

        await Catalog.DropDatabaseAsync("cat_drop");

        Assert.Null(await Catalog.GetDatabaseAsync("cat_drop"));
        Assert.NotNull(await Catalog.GetDatabaseAsync("cat_drop", beforeDrop));
        var snapshot = await fixture.Client.SnapshotAsync();
        var range = TableCodec.TableRange(info.Id);
        Assert.Empty(await snapshot.ScanAsync(range.Start, range.End));
        Assert.Contains(await Catalog.ListDdlJobsAsync(), j => j.Type == DdlActionType.DropSchema && j.SchemaName == "cat_drop");
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.DropDatabaseAsync("cat_drop"));
    }

    [Fact]
    public async Task Duplicate_and_unknown_names_are_rejected()
    {
        await Catalog.CreateDatabaseAsync("cat_dup");
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.CreateDatabaseAsync("CAT_DUP"));
        await Catalog.CreateTableAsync("cat_dup", Sbtest("t"));
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.CreateTableAsync("cat_dup", Sbtest("T")));
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.CreateTableAsync("nope", Sbtest("t")));
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.AddIndexAsync("cat_dup", "t", "x", ["missing"]));
    }

    [Fact]
    public async Task Truncate_gives_the_table_and_partitions_new_ids_and_empties_it()
    {
        await Catalog.CreateDatabaseAsync("cat_trunc");
        var spec = Sbtest("p") with
        {
            Partition = new PartitionInfo
            {
                Type = PartitionType.Range,
                Expr = "id",
                Definitions =
                [
                    new PartitionDefinition { Name = new CIStr("p0"), LessThan = ["100"] },
                    new PartitionDefinition { Name = new CIStr("p1"), LessThan = ["MAXVALUE"] },
                ],
            },
        };
        var created = await Catalog.CreateTableAsync("cat_trunc", spec);
        Assert.Equal(2, created.PhysicalIds.Distinct().Count());
        Assert.DoesNotContain(created.Id, created.PhysicalIds);

        var table = await Table.OpenAsync(Catalog, "cat_trunc", "p");
        await table.InsertAsync(new Dictionary<string, Datum> { ["id"] = Datum.FromInt64(5), ["k"] = Datum.FromInt64(1), ["c"] = Datum.FromString("a") });
        await table.InsertAsync(new Dictionary<string, Datum> { ["id"] = Datum.FromInt64(500), ["k"] = Datum.FromInt64(2), ["c"] = Datum.FromString("b") });
        var snapshot = await fixture.Client.SnapshotAsync();
        foreach (var physicalId in created.PhysicalIds)
        {
            var range = TableCodec.RecordRange(physicalId);
            Assert.Single(await snapshot.ScanAsync(range.Start, range.End));
        }

        var truncated = await Catalog.TruncateTableAsync("cat_trunc", "p");
        Assert.NotEqual(created.Id, truncated.Id);
        Assert.Empty(truncated.PhysicalIds.Intersect(created.PhysicalIds));
        var reopened = await Table.OpenAsync(Catalog, "cat_trunc", "p");
        Assert.Equal(0, await reopened.CountAsync());
        Assert.Equal(2, await table.CountAsync(snapshot.Timestamp));
        Assert.Contains(await Catalog.ListDdlJobsAsync(), j => j.Type == DdlActionType.TruncateTable && j.TableId == truncated.Id);
    }

    [Fact]
    public async Task Views_over_views_record_their_references()
    {
        await Catalog.CreateDatabaseAsync("cat_view");
        await Catalog.CreateTableAsync("cat_view", Sbtest("t"));
        await Catalog.CreateViewAsync("cat_view", "v1", "SELECT id, k FROM `cat_view`.`t`", ["id", "k"], ["cat_view.t"]);
        var v2 = await Catalog.CreateViewAsync("cat_view", "v2", "SELECT k FROM `cat_view`.`v1`", ["k"], ["cat_view.v1"]);

        Assert.True(v2.IsView);
        Assert.Empty(v2.PhysicalIds);
        var read = (await Catalog.GetTableAsync("cat_view", "v2"))!;
        Assert.Equal("SELECT k FROM `cat_view`.`v1`", read.View!.Select);
        Assert.Equal(["cat_view.v1"], read.View.References!);
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.CreateViewAsync("cat_view", "v3", "SELECT 1 FROM x", ["a"], ["cat_view.missing"]));
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.DropTableAsync("cat_view", "v1"));

        await Catalog.DropViewAsync("cat_view", "v2");
        Assert.Null(await Catalog.GetTableAsync("cat_view", "v2"));
        Assert.Contains(await Catalog.ListDdlJobsAsync(), j => j.Type == DdlActionType.DropView && j.TableName == "v2");
    }

    [Fact]
    public async Task Add_index_backfills_existing_rows_and_drop_index_removes_entries()
    {
        await Catalog.CreateDatabaseAsync("cat_idx");
        await Catalog.CreateTableAsync("cat_idx", Sbtest("t"));
        var table = await Table.OpenAsync(Catalog, "cat_idx", "t");
        await table.InsertManyAsync(Enumerable.Range(0, 300).Select(i => (IReadOnlyDictionary<string, Datum>)new Dictionary<string, Datum>
        {
            ["k"] = Datum.FromInt64(i % 7),
            ["c"] = Datum.FromString($"row-{i}"),
        }));

        var index = await Catalog.AddIndexAsync("cat_idx", "t", "kc", ["k", "c"]);
        Assert.Equal(SchemaState.Public, index.State);
        Assert.Equal(300, await table.CountIndexAsync("kc"));
        Assert.Empty(await table.CheckIndexesAsync());
        var job = Assert.Single(await Catalog.ListDdlJobsAsync(), j => j.Type == DdlActionType.AddIndex && j.SchemaName == "cat_idx");
        Assert.Contains(job.Binlog.TableInfo!.Indexes, i => i.Name.O == "kc" && i.State == SchemaState.Public);

        // A unique index over duplicate values fails and leaves nothing behind.
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.AddIndexAsync("cat_idx", "t", "k_uk", ["k"], unique: true));
        Assert.Null((await Catalog.GetTableAsync("cat_idx", "t"))!.FindIndex("k_uk"));

        var kcId = index.Id;
        await Catalog.DropIndexAsync("cat_idx", "t", "kc");
        var info = (await Catalog.GetTableAsync("cat_idx", "t"))!;
        Assert.Null(info.FindIndex("kc"));
        var snapshot = await fixture.Client.SnapshotAsync();
        var range = TableCodec.IndexRange(info.Id, kcId);
        Assert.Empty(await snapshot.ScanAsync(range.Start, range.End));
        Assert.Contains(await Catalog.ListDdlJobsAsync(), j => j.Type == DdlActionType.DropIndex && j.SchemaName == "cat_idx");
    }

    [Fact]
    public async Task Rows_written_while_an_index_is_added_are_all_indexed()
    {
        await Catalog.CreateDatabaseAsync("cat_conc");
        await Catalog.CreateTableAsync("cat_conc", Sbtest("t"));
        var table = await Table.OpenAsync(Catalog, "cat_conc", "t");
        await table.InsertManyAsync(Enumerable.Range(0, 200).Select(i => (IReadOnlyDictionary<string, Datum>)new Dictionary<string, Datum>
        {
            ["k"] = Datum.FromInt64(i),
            ["c"] = Datum.FromString($"seed-{i}"),
        }));

        using var stop = new CancellationTokenSource();
        var written = 0;
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                var handle = await table.InsertAsync(new Dictionary<string, Datum> { ["k"] = Datum.FromInt64(1000 + i), ["c"] = Datum.FromString($"w{w}-{i}") });
                if (i % 3 == 0)
                {
                    await table.UpdateAsync(handle, new Dictionary<string, Datum> { ["k"] = Datum.FromInt64(-i) });
                }

                if (i % 5 == 0)
                {
                    await table.DeleteAsync(handle);
                }

                Interlocked.Increment(ref written);
                i++;
            }
        })).ToArray();

        await Catalog.AddIndexAsync("cat_conc", "t", "k2", ["k"]);
        // Writes after the index is public too, so the check covers the writers' own index entries, not only the backfill.
        var afterAdd = Volatile.Read(ref written);
        await Eventually.UntilAsync(() => Volatile.Read(ref written) >= afterAdd + 10, TimeSpan.FromSeconds(60), "ten writes after the index was added");
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        Assert.True(written > 0);
        Assert.Empty(await table.CheckIndexesAsync());
        Assert.Equal(await table.CountAsync(), await table.CountIndexAsync("k2"));
    }

    [Fact]
    public async Task Rebase_raises_the_allocator_and_new_rows_get_larger_ids()
    {
        await Catalog.CreateDatabaseAsync("cat_rebase");
        var info = await Catalog.CreateTableAsync("cat_rebase", Sbtest("t"));
        var db = (await Catalog.GetDatabaseAsync("cat_rebase"))!;
        await Catalog.RebaseAutoIdAsync("cat_rebase", "t", 50_000);
        Assert.True(await Catalog.GetAutoIdAsync(db.Id, info.Id) >= 50_000);

        var table = await Table.OpenAsync(Catalog, "cat_rebase", "t");
        var handle = await table.InsertAsync(new Dictionary<string, Datum> { ["k"] = Datum.FromInt64(1), ["c"] = Datum.FromString("x") });
        Assert.True(handle.Int > 50_000);
    }

    [Fact]
    public async Task Names_that_TiDB_refuses_are_refused_before_anything_is_written_and_unicode_names_work()
    {
        var version = await Catalog.GetSchemaVersionAsync();
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.CreateDatabaseAsync(""));
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.CreateDatabaseAsync("   "));
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.CreateDatabaseAsync(new string('d', 65)));

        await Catalog.CreateDatabaseAsync("cat_names");
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.CreateTableAsync("cat_names", Sbtest(" ")));
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.CreateTableAsync("cat_names", Sbtest(new string('t', 65))));
        var fakePrimary = Sbtest("fake_primary") with { Indexes = [Index("PRIMARY", true, true, "id"), Index("primary", false, false, "k")] };
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.CreateTableAsync("cat_names", fakePrimary));
        var blankIndex = Sbtest("blank_index") with { Indexes = [Index("PRIMARY", true, true, "id"), Index("", false, false, "k")] };
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.CreateTableAsync("cat_names", blankIndex));

        await Catalog.CreateTableAsync("cat_names", Sbtest("t"));
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.AddIndexAsync("cat_names", "t", "PRIMARY", ["k"]));
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.AddIndexAsync("cat_names", "t", " ", ["k"]));
        await Assert.ThrowsAsync<CatalogException>(() => Catalog.RenameTableAsync("cat_names", "t", "cat_names", ""));
        // cat_names and t are the only schema changes: every refusal came before a DDL job.
        Assert.Equal(version + 2, await Catalog.GetSchemaVersionAsync());

        // 64 characters is the limit in characters, not bytes: 64 CJK characters (192 UTF-8 bytes) and an emoji name fit.
        var cjk = string.Concat(Enumerable.Repeat("数", 64));
        await Catalog.CreateDatabaseAsync(cjk);
        await Catalog.CreateTableAsync(cjk, Sbtest("表🙂"));
        Assert.NotNull(await Catalog.GetTableAsync(cjk, "表🙂"));
    }
}
