using Cairn.Br.Filter;
using Cairn.Br.Metadata;
using Cairn.Br.Restore;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;
using Cairn.Workloads;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Cairn.Br.Tests.Restore;

public sealed class RestoreJobTests(RestoreClusterFixture fixture, ITestOutputHelper output) : IClassFixture<RestoreClusterFixture>
{
    private static TableInfo Sbtest(string name) => new()
    {
        Name = new CIStr(name),
        Columns = [WorkloadColumns.Int("id", FieldType.AutoIncrementFlag), WorkloadColumns.Int("k"), WorkloadColumns.Text("c")],
        Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id"), WorkloadColumns.Index("k_idx", false, false, "k")],
    };

    private async Task LoadAsync(CatalogClient catalog, string db, string name, int rows)
    {
        if (await catalog.GetDatabaseAsync(db) is null)
        {
            await catalog.CreateDatabaseAsync(db);
        }

        await catalog.CreateTableAsync(db, Sbtest(name));
        var table = await Table.OpenAsync(catalog, db, name);
        await table.InsertManyAsync(Enumerable.Range(1, rows).Select(i => (IReadOnlyDictionary<string, Datum>)new Dictionary<string, Datum>
        {
            ["id"] = Datum.FromInt64(i), ["k"] = Datum.FromInt64(i % 7), ["c"] = Datum.FromString(i % 5 == 0 ? new string('x', 200) + i : $"c{i}"),
        }));
    }

    private async Task<long> TargetRowsAsync(string db, string name)
    {
        var table = await Table.OpenAsync(fixture.TargetCatalog, db, name);
        Assert.Empty(await table.CheckIndexesAsync());
        return await table.CountAsync();
    }

    [Fact]
    public async Task Every_workload_restores_into_a_fresh_cluster_with_rows_indexes_views_and_the_bank_total_intact()
    {
        var sysbench = new SysbenchWorkload(fixture.SourceCatalog) { Database = "rw_sbtest", Tables = 2, Rows = 400, BatchSize = 200 };
        var bank = new BankWorkload(fixture.SourceCatalog) { Database = "rw_bank", Accounts = 40 };
        var zoo = new CatalogZooWorkload(fixture.SourceCatalog) { Database = "rw_zoo", Rows = 48 };
        await sysbench.LoadAsync();
        await bank.LoadAsync();
        await bank.RunAsync(workers: 2, transfers: 40);
        await zoo.LoadAsync();
        var filter = TableFilter.Parse(["rw_*.*"]);
        await fixture.BackUpAsync("workloads", o => o with { Filter = filter });

        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var progress = new List<BackupProgress>();
        var summary = await RestoreJob.RunAsync(fixture.Restore("workloads") with { Filter = filter }, new SyncProgress(progress.Add), loggerFactory);

        Assert.True(summary.Succeeded);
        Assert.Empty(logs.AtLeast(LogLevel.Warning));
        Assert.Contains(logs.Entries, e => e.Message.StartsWith("Full restore success summary", StringComparison.Ordinal));
        Assert.Equal(summary.Tables, summary.TablesRestored);
        Assert.True(summary.TotalKvs > 0);
        Assert.True(summary.Files > 0);
        Assert.Empty(await new SysbenchWorkload(fixture.TargetCatalog) { Database = "rw_sbtest", Tables = 2, Rows = 400 }.VerifyAsync());
        Assert.Empty(await new BankWorkload(fixture.TargetCatalog) { Database = "rw_bank", Accounts = 40 }.VerifyAsync());
        Assert.Empty(await new CatalogZooWorkload(fixture.TargetCatalog) { Database = "rw_zoo", Rows = 48 }.VerifyAsync());
        foreach (var (qualified, rows) in zoo.ExpectedRows)
        {
            var dot = qualified.IndexOf('.', StringComparison.Ordinal);
            Assert.Equal(rows, await TargetRowsAsync(qualified[..dot], qualified[(dot + 1)..]));
        }

        // New rows get ids above the restored ones: the auto-increment base was rebased.
        var sbtest = await Table.OpenAsync(fixture.TargetCatalog, "rw_sbtest", "sbtest1");
        var next = await fixture.TargetCatalog.NextAutoIdAsync((await fixture.TargetCatalog.GetDatabaseAsync("rw_sbtest"))!.Id, sbtest.Info.Id);
        Assert.True(next > 400, $"next auto id {next} is not above the restored rows");
        var create = progress.Where(p => p.Phase == RestoreRun.CreatePhase).ToList();
        Assert.Equal(create[^1].Total, create[^1].Done);
        Assert.Equal(summary.Tables, create[^1].Total);
    }

    [Fact]
    public async Task Table_routes_restore_a_table_and_a_whole_database_with_its_views_under_new_names()
    {
        await LoadAsync(fixture.SourceCatalog, "rr_src", "t1", 120);
        await LoadAsync(fixture.SourceCatalog, "rr_src", "t2", 30);
        var zoo = new CatalogZooWorkload(fixture.SourceCatalog) { Database = "rr_zoo", Rows = 20 };
        await zoo.LoadAsync();
        await fixture.BackUpAsync("routes", o => o with { Filter = TableFilter.Parse(["rr_*.*"]) });

        var table = await RestoreJob.RunAsync(fixture.Restore("routes") with
        {
            Kind = RestoreKind.Table, Tables = [("rr_src", "t1")], Renames = [TableRename.Parse("rr_src.t1=rr_dst.moved")],
        });
        Assert.Equal(1, table.TablesRestored);
        Assert.Equal(120, await TargetRowsAsync("rr_dst", "moved"));
        Assert.Null(await fixture.TargetCatalog.GetTableAsync("rr_src", "t1"));
        Assert.Null(await fixture.TargetCatalog.GetTableAsync("rr_dst", "t2"));

        var database = await RestoreJob.RunAsync(fixture.Restore("routes") with
        {
            Kind = RestoreKind.Database, Databases = ["rr_zoo"], Renames = [TableRename.Parse("rr_zoo.*=rr_zoo2.*")],
        });
        Assert.True(database.Succeeded);
        var view = await fixture.TargetCatalog.GetTableAsync("rr_zoo2", "v_over_v");
        Assert.Equal(["rr_zoo2.v_base"], view!.View!.References);
        Assert.Contains("`rr_zoo2`.`v_base`", view.View.Select, StringComparison.Ordinal);
        Assert.Equal(20, await TargetRowsAsync("rr_zoo2", "range_part"));
        Assert.Null(await fixture.TargetCatalog.GetDatabaseAsync("rr_zoo"));
    }

    [Fact]
    public async Task Refused_restores_name_the_problem_and_create_nothing()
    {
        await LoadAsync(fixture.SourceCatalog, "rf_src", "t1", 20);
        await fixture.BackUpAsync("refuse", o => o with { Kind = BackupKind.Database, Databases = ["rf_src"] });
        // The target already holds rf_busy.t1 with a row, and an empty rf_empty.t1.
        await LoadAsync(fixture.TargetCatalog, "rf_busy", "t1", 1);
        await fixture.TargetCatalog.CreateDatabaseAsync("rf_empty");
        await fixture.TargetCatalog.CreateTableAsync("rf_empty", Sbtest("t1"));
        await fixture.TargetCatalog.CreateDatabaseAsync("rf_clustered");
        await fixture.TargetCatalog.CreateTableAsync("rf_clustered", new TableInfo
        {
            Name = new CIStr("t1"),
            IsCommonHandle = true,
            Columns = [WorkloadColumns.Text("code", 16), WorkloadColumns.Int("k"), WorkloadColumns.Text("c")],
            Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "code")],
        });
        var before = await fixture.TargetDatabasesAsync();

        var cases = new (string Name, RestoreOptions Options, string Code, string Text)[]
        {
            ("not empty", fixture.Restore("refuse") with { Renames = [TableRename.Parse("rf_src.*=rf_busy.*")], Filter = TableFilter.Parse(["rf_src.*"]) }, "ErrRestoreTargetNotEmpty", "rf_busy.t1"),
            ("rename onto existing", fixture.Restore("refuse") with { Renames = [TableRename.Parse("rf_src.t1=rf_empty.t1")], Filter = TableFilter.Parse(["rf_src.*"]) }, "ErrRestoreTableExists", "rf_empty.t1"),
            ("existing empty without the flag", fixture.Restore("refuse") with { Renames = [TableRename.Parse("rf_src.*=rf_empty.*")], Filter = TableFilter.Parse(["rf_src.*"]) }, "ErrRestoreTableExists", "--allow-existing-empty-tables"),
            ("clustered mismatch", fixture.Restore("refuse") with { Renames = [TableRename.Parse("rf_src.*=rf_clustered.*")], Filter = TableFilter.Parse(["rf_src.*"]), AllowExistingEmptyTables = true }, "ErrRestoreModeMismatch", "clustered"),
            ("database not in the backup", fixture.Restore("refuse") with { Kind = RestoreKind.Database, Databases = ["rf_nope"] }, RestoreSelection.UndefinedCode, "rf_nope"),
            ("table not in the backup", fixture.Restore("refuse") with { Kind = RestoreKind.Table, Tables = [("rf_src", "nope")] }, RestoreSelection.UndefinedCode, "rf_src.nope"),
            ("filter matching nothing", fixture.Restore("refuse") with { Filter = TableFilter.Parse(["nothing_here.*"]) }, RestoreSelection.UndefinedCode, "nothing_here"),
            ("route matching nothing", fixture.Restore("refuse") with { Filter = TableFilter.Parse(["rf_src.*"]), Renames = [TableRename.Parse("rf_other.*=x.*")] }, RestoreSelection.UndefinedCode, "rf_other"),
            ("raw restore of a table backup", fixture.Restore("refuse") with { Kind = RestoreKind.Raw, Raw = new RawBackupRange([1], [2]) }, "ErrRestoreModeMismatch", "restore full"),
            ("no backupmeta", fixture.Restore("refuse-none"), BackupMetaReader.NotFoundCode, "backupmeta"),
            ("online", fixture.Restore("refuse") with { Online = true }, "ErrInvalidArgument", "--online"),
            ("no switch-mode interval", fixture.Restore("refuse") with { SwitchModeInterval = TimeSpan.Zero }, "ErrInvalidArgument", "--switch-mode-interval"),
        };
        foreach (var (name, options, code, text) in cases)
        {
            var error = await Assert.ThrowsAsync<BrException>(() => RestoreJob.RunAsync(options));
            Assert.True(code == error.Code, $"{name}: {error.Code} {error.Message}");
            Assert.True(error.Message.Contains(text, StringComparison.Ordinal), $"{name}: {error.Message}");
            Assert.DoesNotContain('\n', error.Message);
            Assert.Equal(before, await fixture.TargetDatabasesAsync());
        }

        Assert.Equal(1, await TargetRowsAsync("rf_busy", "t1"));

        // With the flag the existing empty table takes the rows.
        var summary = await RestoreJob.RunAsync(fixture.Restore("refuse") with
        {
            Filter = TableFilter.Parse(["rf_src.*"]), Renames = [TableRename.Parse("rf_src.*=rf_empty.*")], AllowExistingEmptyTables = true,
        });
        Assert.Equal(1, summary.TablesRestored);
        Assert.Equal(0, summary.TablesCreated);
        Assert.Equal(20, await TargetRowsAsync("rf_empty", "t1"));
    }

    [Fact]
    public async Task An_existing_empty_table_whose_index_ids_differ_takes_the_rows_and_its_checksum_matches_by_index_name()
    {
        await LoadAsync(fixture.SourceCatalog, "ri_src", "t1", 90);
        await fixture.BackUpAsync("index-ids", o => o with { Kind = BackupKind.Database, Databases = ["ri_src"] });
        // The target's k_idx gets another id than the backup's: created after a scratch index that is then dropped.
        await fixture.TargetCatalog.CreateDatabaseAsync("ri_dst");
        var definition = Sbtest("t1");
        await fixture.TargetCatalog.CreateTableAsync("ri_dst", definition with { Indexes = [definition.Indexes[0], WorkloadColumns.Index("scratch", false, false, "k")] });
        await fixture.TargetCatalog.AddIndexAsync("ri_dst", "t1", "k_idx", ["k"]);
        await fixture.TargetCatalog.DropIndexAsync("ri_dst", "t1", "scratch");
        var backupIndex = (await fixture.SourceCatalog.GetTableAsync("ri_src", "t1"))!.FindIndex("k_idx")!.Id;
        var targetIndex = (await fixture.TargetCatalog.GetTableAsync("ri_dst", "t1"))!.FindIndex("k_idx")!.Id;
        Assert.NotEqual(backupIndex, targetIndex);

        var summary = await RestoreJob.RunAsync(fixture.Restore("index-ids") with
        {
            Filter = TableFilter.Parse(["ri_src.*"]), Renames = [TableRename.Parse("ri_src.*=ri_dst.*")], AllowExistingEmptyTables = true,
        });

        Assert.True(summary.Succeeded);
        Assert.Equal(1, summary.TablesRestored);
        Assert.Equal(0, summary.TablesCreated);
        Assert.Equal(90, await TargetRowsAsync("ri_dst", "t1"));
        var rows = await Table.OpenAsync(fixture.TargetCatalog, "ri_dst", "t1");
        Assert.Equal(90, await rows.CountIndexAsync("k_idx"));
    }

    [Fact]
    public async Task A_raw_backup_given_to_a_table_restore_and_a_corrupt_meta_are_refused()
    {
        await fixture.BackUpAsync("rawbk", o => o with { Kind = BackupKind.Raw, Raw = new RawBackupRange("rawa"u8.ToArray(), "rawb"u8.ToArray()) });
        var before = await fixture.TargetDatabasesAsync();
        var mismatch = await Assert.ThrowsAsync<BrException>(() => RestoreJob.RunAsync(fixture.Restore("rawbk")));
        Assert.Equal("ErrRestoreModeMismatch", mismatch.Code);
        Assert.Contains("restore raw", mismatch.Message, StringComparison.Ordinal);

        await LoadAsync(fixture.SourceCatalog, "rc_src", "t1", 10);
        await fixture.BackUpAsync("corrupt", o => o with { Kind = BackupKind.Database, Databases = ["rc_src"] });
        var meta = Path.Combine(fixture.Folder.Sub("corrupt"), BackupFiles.Meta);
        var bytes = await System.IO.File.ReadAllBytesAsync(meta);
        await System.IO.File.WriteAllBytesAsync(meta, bytes[..(bytes.Length / 2)]);
        var corrupt = await Assert.ThrowsAsync<BrException>(() => RestoreJob.RunAsync(fixture.Restore("corrupt")));
        Assert.Equal(BackupMetaReader.InvalidCode, corrupt.Code);
        Assert.Equal(before, await fixture.TargetDatabasesAsync());
    }

    [Fact]
    public async Task A_missing_backup_file_fails_the_restore_and_drops_the_tables_it_created()
    {
        await LoadAsync(fixture.SourceCatalog, "rm_src", "t1", 50);
        await LoadAsync(fixture.SourceCatalog, "rm_src", "t2", 50);
        await fixture.BackUpAsync("missing", o => o with { Kind = BackupKind.Database, Databases = ["rm_src"] });
        var sst = Directory.EnumerateFiles(fixture.Folder.Sub("missing"), "*.sst", SearchOption.AllDirectories).First();
        System.IO.File.Delete(sst);

        var error = await Assert.ThrowsAsync<BrException>(() => RestoreJob.RunAsync(fixture.Restore("missing")));
        Assert.Contains(Path.GetFileName(sst), error.Message, StringComparison.Ordinal);
        var summary = error.RestoreSummary!;
        Assert.False(summary.Succeeded);
        Assert.Equal(0, summary.TablesRestored);
        Assert.Equal(["rm_src.t1", "rm_src.t2"], summary.DroppedAfterFailure.Order(StringComparer.Ordinal));
        Assert.Empty(summary.TablesFailed);
        Assert.Equal(["rm_src.t1", "rm_src.t2"], summary.LeftUndone.Order(StringComparer.Ordinal));
        Assert.Null(await fixture.TargetCatalog.GetTableAsync("rm_src", "t1"));
        Assert.Null(await fixture.TargetCatalog.GetDatabaseAsync("rm_src"));
    }

    [Fact]
    public async Task Batch_creation_keeps_the_definitions_and_gives_every_table_and_partition_a_new_id()
    {
        // CAIRN_CREATE_TABLES raises the count for a measurement (the report's 10,000-table figure).
        var count = int.TryParse(Environment.GetEnvironmentVariable("CAIRN_CREATE_TABLES"), out var n) ? n : 1_000;
        await fixture.TargetCatalog.CreateDatabaseAsync("rb_batch");
        var partitioned = Sbtest("p") with
        {
            Partition = new PartitionInfo { Expr = "id", Definitions = [new PartitionDefinition { Name = new CIStr("p0"), LessThan = ["10"] }, new PartitionDefinition { Name = new CIStr("p1"), LessThan = ["MAXVALUE"] }] },
        };
        var template = await fixture.SourceCatalog.CreateTableAsync(await EnsureDatabaseAsync("rb_template"), Sbtest("template"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var batches = 0;
        var created = await fixture.TargetCatalog.CreateTablesAsync("rb_batch", Enumerable.Range(0, count).Select(i => (i == 0 ? partitioned : template) with { Name = new CIStr($"t{i}") }).ToList(),
            progress: new InlineProgress(_ => batches++));

        var elapsed = clock.Elapsed;
        output.WriteLine($"created {count} tables in {elapsed.TotalSeconds:0.00} s: {count / elapsed.TotalSeconds:0} tables/s");
        var listed = await fixture.TargetCatalog.ListTablesAsync((await fixture.TargetCatalog.GetDatabaseAsync("rb_batch"))!.Id);
        Assert.Equal(count, listed.Count);
        Assert.Equal((count + 255) / 256, batches);
        Assert.Equal(count + 2, created.SelectMany(t => t.PhysicalIds.Append(t.Id)).Distinct().Count());
        var copy = listed.Single(t => t.Name.O == "t1");
        Assert.Equal(template.Columns.Select(c => (c.Id, c.Name.O)), copy.Columns.Select(c => (c.Id, c.Name.O)));
        Assert.Equal(template.Indexes.Select(i => (i.Id, i.Name.O)), copy.Indexes.Select(i => (i.Id, i.Name.O)));
        Assert.Equal(2, listed.Single(t => t.Name.O == "t0").Partition!.Definitions.Count);
        // A name another DDL took is refused, and the batch holding it creates nothing.
        await fixture.TargetCatalog.CreateTableAsync("rb_batch", Sbtest("late"));
        var taken = await Assert.ThrowsAsync<CatalogException>(() => fixture.TargetCatalog.CreateTablesAsync("rb_batch", [template with { Name = new CIStr("fresh") }, template with { Name = new CIStr("LATE") }]));
        Assert.Contains("rb_batch.LATE exists", taken.Message, StringComparison.Ordinal);
        Assert.Null(await fixture.TargetCatalog.GetTableAsync("rb_batch", "fresh"));
    }

    [Fact]
    public async Task A_raw_backup_restores_its_keys_unchanged_and_a_range_outside_it_is_refused()
    {
        await using var source = new Cairn.Client.Raw.RawClient(fixture.SourcePd);
        await source.BatchPutAsync(Enumerable.Range(0, 50).Select(i => KeyValuePair.Create(System.Text.Encoding.ASCII.GetBytes($"rrk{i:D3}"), System.Text.Encoding.ASCII.GetBytes($"v{i}"))));
        await fixture.BackUpAsync("rawrt", o => o with { Kind = BackupKind.Raw, Raw = new RawBackupRange("rrk"u8.ToArray(), "rrl"u8.ToArray()) });

        var outside = await Assert.ThrowsAsync<BrException>(() => RestoreJob.RunAsync(fixture.Restore("rawrt") with { Kind = RestoreKind.Raw, Raw = new RawBackupRange("rra"u8.ToArray(), "rrl"u8.ToArray()) }));
        Assert.Equal("ErrRestoreRangeMismatch", outside.Code);

        var summary = await RestoreJob.RunAsync(fixture.Restore("rawrt") with { Kind = RestoreKind.Raw, Raw = new RawBackupRange("rrk"u8.ToArray(), "rrl"u8.ToArray()) });
        Assert.True(summary.Succeeded);
        Assert.Equal(50UL, summary.TotalKvs);
        await using var target = new Cairn.Client.Raw.RawClient(fixture.TargetPd);
        var pairs = await target.ScanAsync("rrk"u8.ToArray(), "rrl"u8.ToArray());
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"rrk{i:D3}=v{i}"), pairs.Select(p => $"{System.Text.Encoding.ASCII.GetString(p.Key)}={System.Text.Encoding.ASCII.GetString(p.Value)}"));
    }

    private async Task<string> EnsureDatabaseAsync(string name)
    {
        if (await fixture.SourceCatalog.GetDatabaseAsync(name) is null)
        {
            await fixture.SourceCatalog.CreateDatabaseAsync(name);
        }

        return name;
    }
}
