using System.Text.Json;
using Cairn.Br.Backup;
using Cairn.Br.Metadata;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;
using Cairn.Common.Hashing;
using Cairn.Rpc.Backup;
using Cairn.Workloads;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.Tests.Backup;

public sealed class BackupJobTests(BackupClusterFixture fixture) : IClassFixture<BackupClusterFixture>
{
    private CatalogClient Catalog => fixture.Catalog;

    private static Dictionary<string, Datum> Row(long id, long k, string c) => new() { ["id"] = Datum.FromInt64(id), ["k"] = Datum.FromInt64(k), ["c"] = Datum.FromString(c) };

    private static TableInfo Sbtest(string name) => new()
    {
        Name = new CIStr(name),
        Columns = [WorkloadColumns.Int("id", FieldType.AutoIncrementFlag), WorkloadColumns.Int("k"), WorkloadColumns.Text("c")],
        Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id"), WorkloadColumns.Index("k_idx", false, false, "k")],
    };

    private async Task<TableInfo> CreateLoadedTableAsync(string db, string name, int rows)
    {
        if (await Catalog.GetDatabaseAsync(db) is null)
        {
            await Catalog.CreateDatabaseAsync(db);
        }

        var info = await Catalog.CreateTableAsync(db, Sbtest(name));
        var table = await Table.OpenAsync(Catalog, db, name);
        // Every fifth value is too long to inline, so the backup has default-CF files too.
        await table.InsertManyAsync(Enumerable.Range(1, rows).Select(i => (IReadOnlyDictionary<string, Datum>)Row(i, i % 7, i % 5 == 0 ? new string('x', 200) + i : $"c{i}")));
        return info;
    }

    private static bool IsEmpty(string folder) => !Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any();

    [Fact]
    public async Task A_database_backup_decodes_covers_every_range_once_and_matches_the_coprocessor_checksums()
    {
        var t1 = await CreateLoadedTableAsync("bk_known", "t1", 300);
        var t2 = await CreateLoadedTableAsync("bk_known", "t2", 40);
        await ClusterSetup.SplitAsync(fixture.Cluster, fixture.Pd, [Cairn.Common.Keys.TableCodec.EncodeRecordKey(t1.Id, 150), Cairn.Common.Keys.TableCodec.IndexPrefix(t1.Id, 2)], Cairn.Client.KeyMode.Txn);
        var options = fixture.Options("known") with { Kind = BackupKind.Database, Databases = ["bk_known"] };
        var progress = new List<BackupProgress>();
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var summary = await BackupJob.RunAsync(options, new SyncProgress(progress.Add), loggerFactory);

        Assert.True(summary.Succeeded);
        Assert.Empty(logs.AtLeast(LogLevel.Warning));
        Assert.Contains(logs.Entries, e => e.Message.StartsWith("Database backup success summary", StringComparison.Ordinal));
        Assert.Equal(2, summary.Tables);
        Assert.Equal(4, summary.Ranges);
        var folder = fixture.Folder.Sub("known");
        // The meta file itself is a kvproto backup.BackupMeta.
        var raw = BackupMeta.Parser.ParseFrom(await System.IO.File.ReadAllBytesAsync(Path.Combine(folder, BackupFiles.Meta)));
        Assert.Equal(fixture.Cluster.ClusterId, raw.ClusterId);
        Assert.Equal(summary.BackupTs, raw.EndVersion);
        Assert.Equal(0UL, raw.StartVersion);
        Assert.StartsWith("\"", raw.ClusterVersion, StringComparison.Ordinal);
        Assert.Equal("[]", raw.Ddls.ToStringUtf8());
        Assert.Contains("Release Version", raw.BrVersion, StringComparison.Ordinal);
        Assert.True(System.IO.File.Exists(Path.Combine(folder, BackupFiles.Lock)));

        var contents = await BackupContents.ReadAsync(folder);
        Assert.Contains(contents.Files, f => f.Cf == "default");
        foreach (var table in new[] { t1, t2 })
        {
            foreach (var range in TableRanges.Of(table))
            {
                contents.AssertCoveredOnce(range);
            }
        }

        Assert.Equal(2, contents.Schemas.Count);
        foreach (var schema in contents.Schemas)
        {
            var info = CatalogJson.Deserialize<TableInfo>(schema.Table.Span);
            var expected = await new TableChecksum(fixture.Client).ChecksumTableAsync(info, summary.BackupTs);
            Assert.Equal(expected, new KvChecksum(schema.Crc64Xor, schema.TotalKvs, schema.TotalBytes));
            Assert.Equal("bk_known", CatalogJson.Deserialize<DBInfo>(schema.Db.Span).Name.O);
        }

        // The SSTs hold exactly the rows and index entries, and their checksum is the coprocessor's.
        var pairs = contents.ReadPairs(folder);
        Assert.Equal((300 + 40) * 2, pairs.Count);
        var fromSst = pairs.Aggregate(KvChecksum.Empty, (sum, p) => sum.Add(p.Key, p.Value));
        Assert.Equal(contents.Schemas.Aggregate(KvChecksum.Empty, (sum, s) => sum + new KvChecksum(s.Crc64Xor, s.TotalKvs, s.TotalBytes)), fromSst);
        Assert.Equal((long)fromSst.TotalKvs, summary.TotalKvs);
        Assert.True(summary.BackupSize > 0);

        // Progress started at 0, never claimed the end early, and ended at its total.
        var backup = progress.Where(p => p.Phase == "Backup").ToList();
        Assert.Equal(0, backup[0].Done);
        Assert.All(backup.SkipLast(1), p => Assert.True(p.Done < p.Total || p.Total == 0));
        Assert.Equal(backup[^1].Total, backup[^1].Done);
        Assert.Equal(summary.Regions, backup[^1].Total);
    }

    [Fact]
    public async Task A_forced_v2_meta_lists_the_files_through_its_index()
    {
        await CreateLoadedTableAsync("bk_v2", "t", 50);
        var summary = await BackupJob.RunAsync(fixture.Options("v2") with { Kind = BackupKind.Database, Databases = ["bk_v2"], UseBackupMetaV2 = true });
        var raw = BackupMeta.Parser.ParseFrom(await System.IO.File.ReadAllBytesAsync(Path.Combine(fixture.Folder.Sub("v2"), BackupFiles.Meta)));
        Assert.Equal(1, raw.Version);
        Assert.Empty(raw.Files);
        Assert.NotNull(raw.FileIndex);
        var contents = await BackupContents.ReadAsync(fixture.Folder.Sub("v2"));
        Assert.Equal(summary.Files, contents.Files.Count);
        Assert.Single(contents.Schemas);
    }

    [Fact]
    public async Task The_catalog_zoo_backs_up_partitions_views_and_its_empty_database()
    {
        var zoo = new CatalogZooWorkload(Catalog) { Database = "bkzoo", Rows = 32 };
        await zoo.LoadAsync();
        var summary = await BackupJob.RunAsync(fixture.Options("zoo") with { Kind = BackupKind.Database, Databases = ["bkzoo", zoo.EmptyDatabase, zoo.UnicodeDatabase] });
        var contents = await BackupContents.ReadAsync(fixture.Folder.Sub("zoo"));
        var dbs = contents.Schemas.Select(s => CatalogJson.Deserialize<DBInfo>(s.Db.Span).Name.O).Distinct().ToList();
        Assert.Contains(zoo.EmptyDatabase, dbs);
        Assert.Contains(zoo.UnicodeDatabase, dbs);
        var empty = Assert.Single(contents.Schemas, s => CatalogJson.Deserialize<DBInfo>(s.Db.Span).Name.O == zoo.EmptyDatabase);
        Assert.True(empty.Table.IsEmpty);
        var tables = contents.Schemas.Where(s => !s.Table.IsEmpty).Select(s => CatalogJson.Deserialize<TableInfo>(s.Table.Span)).ToList();
        Assert.Contains(tables, t => t.IsView);
        var partitioned = tables.Where(t => t.Partition is not null).ToList();
        Assert.NotEmpty(partitioned);
        // Partitioned tables are backed up by partition id: no file starts under a partitioned table's own id.
        var fileTables = contents.Files.Select(f => Cairn.Common.Keys.TableCodec.DecodeTableId(f.StartKey.Span)).ToHashSet();
        Assert.All(partitioned, t => Assert.DoesNotContain(t.Id, fileTables));
        Assert.Contains(partitioned.SelectMany(t => t.PhysicalIds), fileTables.Contains);
        var random = Assert.Single(tables, t => t.AutoRandomBits > 0);
        Assert.True(random.Extra!["auto_rand_id"].GetInt64() > 0);
        Assert.True(summary.TotalKvs > 0);
    }

    [Fact]
    public async Task A_filter_matching_nothing_gives_a_valid_meta_without_schemas()
    {
        var summary = await BackupJob.RunAsync(fixture.Options("nothing") with { Kind = BackupKind.Full, Filter = Cairn.Br.Filter.TableFilter.Parse(["no_such_db_*.*"]) });
        Assert.Equal(0, summary.Tables);
        var contents = await BackupContents.ReadAsync(fixture.Folder.Sub("nothing"));
        Assert.Empty(contents.Schemas);
        Assert.Empty(contents.Files);
        Assert.Equal(summary.BackupTs, contents.Meta.EndVersion);
    }

    [Fact]
    public async Task Filter_rules_and_named_tables_select_exactly_their_tables()
    {
        await CreateLoadedTableAsync("bk_filter_a", "keep", 5);
        await CreateLoadedTableAsync("bk_filter_a", "drop", 5);
        await CreateLoadedTableAsync("bk_filter_b", "keep", 5);
        await BackupJob.RunAsync(fixture.Options("filter") with { Filter = Cairn.Br.Filter.TableFilter.Parse(["bk_filter_*.*", "!*.drop"]) });
        var names = (await BackupContents.ReadAsync(fixture.Folder.Sub("filter"))).Schemas
            .Select(s => $"{CatalogJson.Deserialize<DBInfo>(s.Db.Span).Name.O}.{CatalogJson.Deserialize<TableInfo>(s.Table.Span).Name.O}").Order().ToList();
        Assert.Equal(["bk_filter_a.keep", "bk_filter_b.keep"], names);

        await BackupJob.RunAsync(fixture.Options("tables") with { Kind = BackupKind.Table, Tables = [("bk_filter_a", "DROP")] });
        var one = Assert.Single((await BackupContents.ReadAsync(fixture.Folder.Sub("tables"))).Schemas);
        Assert.Equal("drop", CatalogJson.Deserialize<TableInfo>(one.Table.Span).Name.O);
    }

    [Fact]
    public async Task A_lock_left_below_the_snapshot_is_resolved_and_the_backup_completes()
    {
        var info = await CreateLoadedTableAsync("bk_lock", "t", 20);
        // A transaction that prewrote and never committed: its lock sits below the backup's snapshot.
        var key = Cairn.Common.Keys.TableCodec.EncodeRecordKey(info.Id, 5);
        var startTs = await fixture.Pd.GetTimestampAsync();
        var region = await fixture.Client.Cache.LocateKeyAsync(key, Cairn.Client.KeyMode.Txn, new Cairn.Client.Regions.Backoffer(TimeSpan.FromSeconds(5)));
        var prewrite = await fixture.Client.Cache.GetChannel(region.StoreAddress).Tikv.KvPrewriteAsync(new Cairn.Rpc.Kvrpcpb.PrewriteRequest
        {
            Context = region.ToContext(),
            PrimaryLock = Google.Protobuf.ByteString.CopyFrom(key),
            StartVersion = startTs,
            LockTtl = 500,
            Mutations = { new Cairn.Rpc.Kvrpcpb.Mutation { Op = Cairn.Rpc.Kvrpcpb.Op.Put, Key = Google.Protobuf.ByteString.CopyFrom(key), Value = Google.Protobuf.ByteString.CopyFromUtf8("locked") } },
        }).ResponseAsync;
        Assert.Null(prewrite.RegionError);
        Assert.Empty(prewrite.Errors);
        var summary = await BackupJob.RunAsync(fixture.Options("lock") with { Kind = BackupKind.Table, Tables = [("bk_lock", "t")] });
        Assert.True(summary.Succeeded);
        Assert.Equal(40, summary.TotalKvs);
    }

    [Fact]
    public async Task Cancellation_removes_the_safepoint_and_keeps_the_lock_and_checkpoint_without_backupmeta()
    {
        await CreateLoadedTableAsync("bk_cancel", "t", 20);
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.Phase == "Backup" && p.Done > 0)
            {
                cancel.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            BackupJob.RunAsync(fixture.Options("cancel") with { Kind = BackupKind.Database, Databases = ["bk_cancel"], Concurrency = 1 }, progress, null, cancel.Token));
        var folder = fixture.Folder.Sub("cancel");
        Assert.True(System.IO.File.Exists(Path.Combine(folder, BackupFiles.Lock)));
        Assert.False(System.IO.File.Exists(Path.Combine(folder, BackupFiles.Meta)));
        Assert.True(Directory.Exists(Path.Combine(folder, BackupFiles.CheckpointFolder)));
        await AssertNoBrSafePointAsync();
    }

    [Fact]
    public async Task A_lost_service_safepoint_fails_the_backup_cleanly_naming_it()
    {
        await CreateLoadedTableAsync("bk_lost", "t", 20);
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var removed = false;
        // As the backup starts, remove its safepoint from pd behind its back, and hold the job there until its keeper
        // has logged the loss.
        var progress = new SyncProgress(p =>
        {
            if (removed || p.Phase != "Backup")
            {
                return;
            }

            removed = true;
            foreach (var id in ListBrSafePointsAsync().GetAwaiter().GetResult())
            {
                fixture.Pd.UpdateServiceGcSafePointAsync(id, 0, 0).GetAwaiter().GetResult();
            }

            Eventually.UntilAsync(() => logs.Entries.Any(e => e.Message.Contains(" lost: ", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "the keeper to notice the lost safepoint")
                .GetAwaiter().GetResult();
        });
        var error = await Assert.ThrowsAsync<BrException>(() =>
            BackupJob.RunAsync(fixture.Options("lost") with { Kind = BackupKind.Database, Databases = ["bk_lost"], Concurrency = 1 }, progress, loggerFactory));
        Assert.Equal("ErrBackupGCSafepointExceeded", error.Code);
        Assert.Contains("br-", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Summary);
        Assert.False(error.Summary.Succeeded);
        Assert.False(System.IO.File.Exists(Path.Combine(fixture.Folder.Sub("lost"), BackupFiles.Meta)));
        Assert.Contains(logs.Entries, e => e.Message.Contains("backup failed summary", StringComparison.Ordinal));
        await AssertNoBrSafePointAsync();
    }

    [Fact]
    public async Task An_incremental_backup_holds_the_puts_and_deletes_since_the_last_one_and_its_ddls()
    {
        var info = await CreateLoadedTableAsync("bk_incr", "t", 10);
        var full = await BackupJob.RunAsync(fixture.Options("incr-full") with { Kind = BackupKind.Database, Databases = ["bk_incr"] });
        var table = await Table.OpenAsync(Catalog, "bk_incr", "t");
        await table.InsertAsync(Row(11, 1, "new"));
        await fixture.Client.RunInTransactionAsync(t =>
        {
            t.Delete(Cairn.Common.Keys.TableCodec.EncodeRecordKey(info.Id, 3));
            return Task.CompletedTask;
        });
        await Catalog.CreateTableAsync("bk_incr", Sbtest("later"));
        var incremental = await BackupJob.RunAsync(fixture.Options("incr") with { Kind = BackupKind.Database, Databases = ["bk_incr"], LastBackupTs = full.BackupTs });

        var contents = await BackupContents.ReadAsync(fixture.Folder.Sub("incr"));
        Assert.Equal(full.BackupTs, contents.Meta.StartVersion);
        Assert.Equal(incremental.BackupTs, contents.Meta.EndVersion);
        Assert.All(contents.Files, f => Assert.Equal(full.BackupTs, f.StartVersion));
        // The new row (record and index entry) and the delete, nothing older.
        Assert.Equal(3, incremental.TotalKvs);
        using var ddls = JsonDocument.Parse(contents.Meta.Ddls.ToStringUtf8());
        Assert.Contains(ddls.RootElement.EnumerateArray(), j => j.GetProperty("table_name").GetString() == "later");
        // Incremental backups carry no checksums.
        Assert.All(contents.Schemas, s => Assert.Equal(0UL, s.TotalKvs));
    }

    [Fact]
    public async Task A_store_that_stays_down_fails_the_backup_naming_it_and_the_ranges_left()
    {
        var info = await CreateLoadedTableAsync("bk_gone", "t", 30);
        var region = await fixture.Pd.GetRegionAsync(Cairn.Client.Regions.RegionCache.ToRegionKey(Cairn.Common.Keys.TableCodec.EncodeRecordKey(info.Id, 1), Cairn.Client.KeyMode.Txn));
        var victim = fixture.Cluster.IndexOfStore(region!.Leader!.StoreId);
        await fixture.Cluster.KillStoreAsync(victim);
        try
        {
            var error = await Assert.ThrowsAsync<BrException>(() => BackupJob.RunAsync(
                fixture.Options("gone") with { Kind = BackupKind.Table, Tables = [("bk_gone", "t")], RetryBudget = TimeSpan.FromSeconds(2) }));
            Assert.Equal("ErrBackupRetryExhausted", error.Code);
            Assert.Contains($"store {region.Leader.StoreId}", error.Message, StringComparison.Ordinal);
            Assert.Contains("ranges left [", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error.Message);
            Assert.False(error.Summary!.Succeeded);
            Assert.False(System.IO.File.Exists(Path.Combine(fixture.Folder.Sub("gone"), BackupFiles.Meta)));
        }
        finally
        {
            await fixture.Cluster.RestartStoreAsync(victim);
        }

        await AssertNoBrSafePointAsync();
    }

    [Fact]
    public async Task Refused_jobs_write_nothing_to_the_storage()
    {
        await CreateLoadedTableAsync("bk_refuse", "t", 3);
        var now = await fixture.Pd.GetTimestampAsync();
        var cases = new (string Name, BackupOptions Options, string Code, string Names)[]
        {
            ("future", fixture.Options("r-future") with { BackupTs = now + (1000UL << 18) }, "ErrInvalidArgument", "future"),
            ("missing-db", fixture.Options("r-db") with { Kind = BackupKind.Database, Databases = ["bk_refuse", "no_such_db"] }, "ErrBackupNoSuchDatabase", "no_such_db"),
            ("missing-table", fixture.Options("r-table") with { Kind = BackupKind.Table, Tables = [("bk_refuse", "nope")] }, "ErrBackupNoSuchTable", "nope"),
            ("pd", fixture.Options("r-pd") with { PdAddresses = ["127.0.0.1:1"], PdConnectTimeout = TimeSpan.FromSeconds(1) }, "ErrPDUnreachable", "127.0.0.1:1"),
            ("raw", fixture.Options("r-raw") with { Kind = BackupKind.Raw, Raw = new RawBackupRange([9], [1]) }, "ErrInvalidArgument", "not before"),
        };
        foreach (var (name, options, code, names) in cases)
        {
            var error = await Assert.ThrowsAsync<BrException>(() => BackupJob.RunAsync(options));
            Assert.True(code == error.Code, $"{name}: {error.Code} {error.Message}");
            Assert.Contains(names, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error.Message);
            Assert.True(IsEmpty(new Uri(options.Storage).LocalPath), $"{name} wrote to the storage");
        }

        // A snapshot at or below the GC safepoint, named with both numbers.
        var old = await fixture.Pd.GetTimestampAsync();
        var gc = await fixture.Pd.UpdateGcSafePointAsync(old);
        var gcError = await Assert.ThrowsAsync<BrException>(() => BackupJob.RunAsync(fixture.Options("r-gc") with { BackupTs = old - 1 }));
        Assert.Equal("ErrBackupGCSafepointExceeded", gcError.Code);
        Assert.Contains((old - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), gcError.Message, StringComparison.Ordinal);
        Assert.Contains(gc.ToString(System.Globalization.CultureInfo.InvariantCulture), gcError.Message, StringComparison.Ordinal);
        Assert.True(IsEmpty(fixture.Folder.Sub("r-gc")));

        // A storage already holding backupmeta or backup.lock is refused by name and left as it was.
        foreach (var file in new[] { BackupFiles.Meta, BackupFiles.Lock })
        {
            var folder = fixture.Folder.Sub("r-used-" + file);
            Directory.CreateDirectory(folder);
            await System.IO.File.WriteAllTextAsync(Path.Combine(folder, file), "x");
            var used = await Assert.ThrowsAsync<BrException>(() => BackupJob.RunAsync(fixture.Options("r-used-" + file)));
            Assert.Contains(file, used.Message, StringComparison.Ordinal);
            Assert.Equal([file], Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName));
        }

        await AssertNoBrSafePointAsync();
    }

    [Fact]
    public async Task A_raw_range_backs_up_its_raw_keys_into_a_raw_v1_meta()
    {
        await using var raw = new Cairn.Client.Raw.RawClient(fixture.Pd);
        for (var i = 0; i < 30; i++)
        {
            await raw.PutAsync(System.Text.Encoding.ASCII.GetBytes($"rawbk{i:D3}"), System.Text.Encoding.ASCII.GetBytes($"value-{i}"));
        }

        var summary = await BackupJob.RunAsync(fixture.Options("raw") with { Kind = BackupKind.Raw, Raw = new RawBackupRange("rawbk"u8.ToArray(), "rawbl"u8.ToArray()) });
        var meta = BackupMeta.Parser.ParseFrom(await System.IO.File.ReadAllBytesAsync(Path.Combine(fixture.Folder.Sub("raw"), BackupFiles.Meta)));
        Assert.True(meta.IsRawKv);
        Assert.Equal(0, meta.Version);
        Assert.Equal(0UL, meta.EndVersion);
        Assert.Empty(meta.Schemas);
        var range = Assert.Single(meta.RawRanges);
        Assert.Equal("rawbk", range.StartKey.ToStringUtf8());
        Assert.Equal("default", range.Cf);
        Assert.Equal(30, summary.TotalKvs);
        Assert.All(meta.Files, f => Assert.Equal("default", f.Cf));
    }

    [Fact]
    public async Task A_bank_backed_up_under_transfers_splits_and_scatters_holds_its_invariant_in_the_files()
    {
        var bank = new BankWorkload(Catalog) { Database = "bk_bank", Accounts = 120, InitialBalance = 1_000 };
        await bank.LoadAsync();
        var info = (await Catalog.GetTableAsync("bk_bank", "accounts"))!;
        await ClusterSetup.SplitAsync(fixture.Cluster, fixture.Pd, [Cairn.Common.Keys.TableCodec.EncodeRecordKey(info.Id, 40), Cairn.Common.Keys.TableCodec.EncodeRecordKey(info.Id, 80), Cairn.Common.Keys.TableCodec.IndexPrefix(info.Id, 2)], Cairn.Client.KeyMode.Txn);
        await ClusterSetup.ScatterAsync(fixture.Cluster, fixture.Pd, 3);

        using var stop = new CancellationTokenSource();
        var committedBefore = fixture.Client.CommittedCount;
        var transfers = bank.RunAsync(workers: 4, transfers: 1_000_000, stop.Token);
        // Regions keep splitting and moving while the backup runs.
        var churn = Task.Run(async () =>
        {
            using var cache = new Cairn.Client.Regions.RegionCache(fixture.Pd);
            var splitter = new Cairn.Client.Regions.RegionSplitter(cache);
            for (var handle = 10; !stop.IsCancellationRequested && handle < 120; handle += 10)
            {
                await splitter.SplitAsync([Cairn.Common.Keys.TableCodec.EncodeRecordKey(info.Id, handle)], Cairn.Client.KeyMode.Txn, stop.Token);
                var regions = await fixture.Pd.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0, stop.Token);
                await fixture.Pd.ScatterRegionsAsync([.. regions.Select(r => r.Region.Id)], cancellationToken: stop.Token);
            }
        });
        BackupSummary summary;
        try
        {
            summary = await BackupJob.RunAsync(fixture.Options("bank") with { Kind = BackupKind.Table, Tables = [("bk_bank", "accounts")], Concurrency = 2 });
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAny(transfers);
            await Task.WhenAny(churn);
        }

        Assert.True(fixture.Client.CommittedCount > committedBefore, "no transfer committed while the backup ran");

        var folder = fixture.Folder.Sub("bank");
        var contents = await BackupContents.ReadAsync(folder);
        var balanceId = info.FindColumn("balance")!.Id;
        var rows = contents.ReadPairs(folder).Where(p => Cairn.Common.Keys.TableCodec.IsRecordKey(p.Key)).Select(p => RowCodec.Decode(p.Value)[balanceId].Int64).ToList();
        Assert.Equal(120, rows.Count);
        Assert.Equal(120 * 1_000L, rows.Sum());
        var schema = Assert.Single(contents.Schemas);
        Assert.Equal(await new TableChecksum(fixture.Client).ChecksumTableAsync(info, summary.BackupTs), new KvChecksum(schema.Crc64Xor, schema.TotalKvs, schema.TotalBytes));
        Assert.Empty(await bank.VerifyAsync(summary.BackupTs));
    }

    [Fact]
    public async Task A_store_stopped_during_the_backup_and_restarted_is_waited_for_and_the_checksums_match()
    {
        var info = await CreateLoadedTableAsync("bk_down", "t", 200);
        await ClusterSetup.SplitAsync(fixture.Cluster, fixture.Pd, [.. Enumerable.Range(1, 5).Select(i => Cairn.Common.Keys.TableCodec.EncodeRecordKey(info.Id, i * 40))], Cairn.Client.KeyMode.Txn);
        await ClusterSetup.ScatterAsync(fixture.Cluster, fixture.Pd, 3);
        // The store is stopped as the backup starts, so the push-down cannot reach it and its regions (not moved: one
        // replica each) are only backed up once it is back.
        var tableRange = Cairn.Common.Keys.TableCodec.TableRange(info.Id);
        var regions = await fixture.Pd.ScanRegionsAsync(Cairn.Client.Regions.RegionCache.ToRegionKey(tableRange.Start, Cairn.Client.KeyMode.Txn),
            Cairn.Client.Regions.RegionCache.ToRegionKey(tableRange.End, Cairn.Client.KeyMode.Txn), 0);
        var victimId = regions.Where(r => r.Leader is not null).GroupBy(r => r.Leader!.StoreId).OrderByDescending(g => g.Count()).First().Key;
        var victim = fixture.Cluster.IndexOfStore(victimId);
        Task? restart = null;
        var progress = new SyncProgress(p =>
        {
            if (restart is null && p.Phase == "Backup")
            {
                fixture.Cluster.KillStoreAsync(victim).GetAwaiter().GetResult();
                restart = Task.Run(async () =>
                {
                    await Task.Delay(TimeSpan.FromSeconds(2));
                    await fixture.Cluster.RestartStoreAsync(victim);
                });
            }
        });
        BackupSummary summary;
        try
        {
            summary = await BackupJob.RunAsync(fixture.Options("down") with { Kind = BackupKind.Table, Tables = [("bk_down", "t")] }, progress);
        }
        finally
        {
            if (restart is not null)
            {
                await restart;
            }
        }

        Assert.True(summary.Succeeded);
        Assert.Equal(400, summary.TotalKvs);
        var contents = await BackupContents.ReadAsync(fixture.Folder.Sub("down"));
        Assert.Contains(contents.Files, f => f.Name.StartsWith(fixture.Cluster.StoreId(victim) + "_", StringComparison.Ordinal) || f.Name.StartsWith(fixture.Cluster.StoreId(victim) + "/", StringComparison.Ordinal));
        foreach (var range in TableRanges.Of(info))
        {
            contents.AssertCoveredOnce(range);
        }
    }

    private async Task<IReadOnlyList<string>> ListBrSafePointsAsync()
    {
        using var http = new HttpClient();
        using var json = JsonDocument.Parse(await http.GetStringAsync(fixture.Cluster.PdHttpAddress + "/pd/api/v1/gc/safepoint"));
        return [.. json.RootElement.GetProperty("service_gc_safe_points").EnumerateArray().Select(p => p.GetProperty("service_id").GetString()!).Where(id => id.StartsWith("br-", StringComparison.Ordinal))];
    }

    private async Task AssertNoBrSafePointAsync() => Assert.Empty(await ListBrSafePointsAsync());
}
