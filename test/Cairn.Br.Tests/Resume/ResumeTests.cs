using Cairn.Br.Checkpoint;
using Cairn.Br.Crypto;
using Cairn.Br.Metadata;
using Cairn.Br.Restore;
using Cairn.Br.Restore.Data;
using Cairn.Br.Tests.Backup;
using Cairn.Br.Tests.Restore;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;
using Cairn.Common.Keys;
using Cairn.Workloads;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.Tests.Resume;

/// <summary>
/// A backup stopped part-way resumes on the same storage: same snapshot, the recorded pieces reused, and a result
/// whose tables, checksums and pairs are those of an uninterrupted backup of the same snapshot; a run that is not the
/// same job, or whose snapshot GC has passed, is refused with the reason. A restore stopped part-way resumes into
/// the tables it created, skipping the groups it ingested, and ends verified; ingesting everything twice changes
/// nothing; a checkpoint of another restore is refused with how to clear it.
/// </summary>
public sealed class ResumeTests(RestoreClusterFixture fixture) : IClassFixture<RestoreClusterFixture>
{
    private static TableInfo Sbtest(string name) => new()
    {
        Name = new CIStr(name),
        Columns = [WorkloadColumns.Int("id", FieldType.AutoIncrementFlag), WorkloadColumns.Int("k"), WorkloadColumns.Text("c")],
        Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id"), WorkloadColumns.Index("k_idx", false, false, "k")],
    };

    /// <summary>Two tables of <paramref name="rows"/> rows, each record range split every 40 rows.</summary>
    private async Task LoadSplitAsync(string db, int rows)
    {
        await fixture.SourceCatalog.CreateDatabaseAsync(db);
        var splits = new List<byte[]>();
        foreach (var name in new[] { "t1", "t2" })
        {
            var info = await fixture.SourceCatalog.CreateTableAsync(db, Sbtest(name));
            var table = await Table.OpenAsync(fixture.SourceCatalog, db, name);
            await table.InsertManyAsync(Enumerable.Range(1, rows).Select(i => (IReadOnlyDictionary<string, Datum>)new Dictionary<string, Datum>
            {
                ["id"] = Datum.FromInt64(i), ["k"] = Datum.FromInt64(i % 7), ["c"] = Datum.FromString(i % 5 == 0 ? new string('x', 200) + i : $"c{i}"),
            }));
            splits.AddRange(Enumerable.Range(1, rows / 40).Select(i => TableCodec.EncodeRecordKey(info.Id, i * 40)));
        }

        await ClusterSetup.SplitAsync(fixture.Source, fixture.SourcePd, splits, Cairn.Client.KeyMode.Txn);
    }

    private BackupOptions Options(string folder, string db, ulong backupTs) => new()
    {
        PdAddresses = [fixture.Source.PdAddress],
        Storage = fixture.Storage(folder),
        PdConnectTimeout = TimeSpan.FromSeconds(5),
        Kind = BackupKind.Database,
        Databases = [db],
        BackupTs = backupTs,
        Concurrency = 1,
    };

    /// <summary>Runs the backup and cancels it once <paramref name="pieces"/> pieces are done; the checkpoint keeps them.</summary>
    private static async Task CancelAfterAsync(BackupOptions options, int pieces)
    {
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.Phase == "Backup" && p.Done >= pieces)
            {
                cancel.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BackupJob.RunAsync(options, progress, null, cancel.Token));
    }

    [Fact]
    public async Task A_cancelled_backup_resumes_reusing_its_pieces_into_the_content_of_an_uninterrupted_one()
    {
        await LoadSplitAsync("bres_same", 400);
        var backupTs = await fixture.SourcePd.GetTimestampAsync();
        var whole = await BackupJob.RunAsync(Options("bres-whole", "bres_same", backupTs));

        var options = Options("bres-cut", "bres_same", backupTs);
        await CancelAfterAsync(options, 4);
        var folder = fixture.Folder.Sub("bres-cut");
        Assert.False(File.Exists(Path.Combine(folder, BackupFiles.Meta)));
        await using (var storage = await Cairn.Storage.ExternalStorage.OpenAsync(options.Storage))
        {
            var checkpoint = await BackupCheckpoint.TryOpenAsync(storage);
            Assert.NotNull(checkpoint);
            Assert.True(checkpoint.CompletedRanges.Count >= 4, $"{checkpoint.CompletedRanges.Count} pieces recorded");
        }

        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        // Without --backupts: the resumed run takes the checkpoint's snapshot.
        var resumed = await BackupJob.RunAsync(options with { BackupTs = 0 }, null, loggerFactory);
        Assert.True(resumed.Succeeded);
        Assert.True(resumed.Resumed);
        Assert.True(resumed.ReusedPieces >= 4, $"{resumed.ReusedPieces} pieces reused");
        Assert.Equal(backupTs, resumed.BackupTs);
        Assert.Empty(logs.AtLeast(LogLevel.Warning));
        Assert.Contains(logs.Entries, e => e.Message.Contains("resumes from its checkpoint", StringComparison.Ordinal));
        var checkpointFolder = Path.Combine(folder, BackupFiles.CheckpointFolder);
        Assert.False(Directory.Exists(checkpointFolder) && Directory.EnumerateFiles(checkpointFolder, "*", SearchOption.AllDirectories).Any(), "checkpoint files left after the backup finished");

        Assert.Equal(whole.TotalKvs, resumed.TotalKvs);
        Assert.Equal(whole.Tables, resumed.Tables);
        var expected = await BackupContents.ReadAsync(fixture.Folder.Sub("bres-whole"));
        var actual = await BackupContents.ReadAsync(folder);
        Assert.Equal(expected.Meta.EndVersion, actual.Meta.EndVersion);
        Assert.Equal(Sums(expected), Sums(actual));
        Assert.Equal(Pairs(expected, fixture.Folder.Sub("bres-whole")), Pairs(actual, folder));

        // Finished: a third run is refused like any used storage.
        var again = await Assert.ThrowsAsync<BrException>(() => BackupJob.RunAsync(options));
        Assert.Equal("ErrBackupStorageInUse", again.Code);
        Assert.Contains(BackupFiles.Meta, again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resume_with_another_filter_or_after_gc_passed_its_snapshot_is_refused_with_the_reason()
    {
        await LoadSplitAsync("bres_refuse", 120);
        var backupTs = await fixture.SourcePd.GetTimestampAsync();
        var options = Options("bres-refuse", "bres_refuse", backupTs);
        await CancelAfterAsync(options, 1);

        var other = await Assert.ThrowsAsync<BrException>(() => BackupJob.RunAsync(options with { Kind = BackupKind.Table, Databases = null, Tables = [("bres_refuse", "t1")] }));
        Assert.Equal(BackupCheckpoint.InvalidCode, other.Code);
        Assert.Contains("cannot resume", other.Message, StringComparison.Ordinal);
        Assert.Contains("different job", other.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', other.Message);

        var snapshot = await Assert.ThrowsAsync<BrException>(() => BackupJob.RunAsync(options with { BackupTs = backupTs - 1 }));
        Assert.Contains("snapshot", snapshot.Message, StringComparison.Ordinal);

        var off = await Assert.ThrowsAsync<BrException>(() => BackupJob.RunAsync(options with { UseCheckpoint = false }));
        Assert.Equal("ErrBackupStorageInUse", off.Code);

        // The cancelled run released its lock; a live one of a br elsewhere refuses the resume, naming it.
        var lockPath = Path.Combine(fixture.Folder.Sub("bres-refuse"), BackupCheckpointLock.Path);
        Assert.False(File.Exists(lockPath));
        await File.WriteAllTextAsync(lockPath, $$"""{"lock-id":1,"expire-at":{{DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds()}},"host":"elsewhere","pid":1}""");
        var locked = await Assert.ThrowsAsync<BrException>(() => BackupJob.RunAsync(options));
        Assert.Equal(BackupCheckpointLock.LockedCode, locked.Code);
        Assert.Contains("another br (host elsewhere, pid 1", locked.Message, StringComparison.Ordinal);
        File.Delete(lockPath);

        // GC passes the snapshot (the cancelled run removed its safepoint): the resume says so and what to do.
        await fixture.SourcePd.UpdateGcSafePointAsync(await fixture.SourcePd.GetTimestampAsync());
        var gc = await Assert.ThrowsAsync<BrException>(() => BackupJob.RunAsync(options));
        Assert.Equal("ErrBackupGCSafepointExceeded", gc.Code);
        Assert.Contains("cannot resume: GC has passed its snapshot", gc.Message, StringComparison.Ordinal);
        Assert.Contains("delete the folder and start again", gc.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(fixture.Folder.Sub("bres-refuse"), BackupFiles.Meta)));
    }

    [Fact]
    public async Task A_master_key_backup_resumes_with_the_data_key_it_started_with_and_refuses_another_key()
    {
        await LoadSplitAsync("bres_enc", 120);
        var keys = fixture.Folder.Sub("bres-enc-keys");
        Directory.CreateDirectory(keys);
        BackupEncryption MasterKey(string name, string hex)
        {
            var path = Path.Combine(keys, name);
            File.WriteAllText(path, hex);
            return new BackupEncryption { Method = Cairn.Rpc.Encryptionpb.EncryptionMethod.Aes256Ctr, MasterKey = new MasterKeySource { FilePath = path } };
        }

        var master = MasterKey("master", new string('a', 64));
        var options = Options("bres-enc", "bres_enc", await fixture.SourcePd.GetTimestampAsync()) with { Crypter = master };
        await CancelAfterAsync(options, 2);

        // A run resumed without encryption, or with another master key, would leave files no one key decrypts.
        var plain = await Assert.ThrowsAsync<BrException>(() => BackupJob.RunAsync(options with { Crypter = null, BackupTs = 0 }));
        Assert.Equal(BackupCheckpoint.InvalidCode, plain.Code);
        Assert.Contains("was started encrypted", plain.Message, StringComparison.Ordinal);
        var other = await Assert.ThrowsAsync<BrException>(() => BackupJob.RunAsync(options with { Crypter = MasterKey("other", new string('b', 64)), BackupTs = 0 }));
        Assert.Contains("another master key", other.Message, StringComparison.Ordinal);

        var resumed = await BackupJob.RunAsync(options with { BackupTs = 0 });
        Assert.True(resumed.Resumed);
        Assert.True(resumed.ReusedPieces >= 2, $"{resumed.ReusedPieces} pieces reused");

        // Every file, the reused ones too, decrypts with the one data key the backup keeps: the restore reads them all.
        var restore = fixture.Restore("bres-enc") with
        {
            Kind = RestoreKind.Database, Databases = ["bres_enc"], Renames = [new TableRename("bres_enc", null, "bres_enc_dst", null)], Crypter = master,
        };
        Assert.True((await RestoreJob.RunAsync(restore)).Succeeded);
        foreach (var name in new[] { "t1", "t2" })
        {
            await AssertSameRowsAsync("bres_enc", "bres_enc_dst", name, resumed.BackupTs);
        }
    }

    [Fact]
    public async Task A_cancelled_restore_resumes_into_its_tables_and_a_second_ingest_of_everything_changes_nothing()
    {
        await LoadSplitAsync("rres_src", 400);
        var backup = await BackupJob.RunAsync(Options("rres-backup", "rres_src", 0) with { Concurrency = 4 });
        var restore = fixture.Restore("rres-backup") with
        {
            Kind = RestoreKind.Database, Databases = ["rres_src"], Renames = [new TableRename("rres_src", null, "rres_dst", null)], Concurrency = 1,
        };

        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.Phase == DataRestorer.ImportPhase && p.Done >= 6)
            {
                cancel.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RestoreJob.RunAsync(restore, progress, null, cancel.Token));
        var store = RestoreCheckpointStore.InCluster(fixture.TargetClient);
        var left = await store.ReadAsync(CancellationToken.None);
        Assert.NotNull(left);
        Assert.Equal(2, left.Tables.Count);
        Assert.NotEmpty(left.Ingested);

        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        var resumed = await RestoreJob.RunAsync(restore with { Concurrency = 8 }, null, loggerFactory);
        Assert.True(resumed.Succeeded);
        Assert.True(resumed.Resumed);
        Assert.True(resumed.SkippedFileGroups >= 1, $"{resumed.SkippedFileGroups} groups skipped");
        Assert.Empty(logs.AtLeast(LogLevel.Warning));
        Assert.Contains(logs.Entries, e => e.Message.Contains("created by the run before", StringComparison.Ordinal));
        Assert.False(await store.ExistsAsync(CancellationToken.None));
        foreach (var name in new[] { "t1", "t2" })
        {
            var table = await fixture.TargetCatalog.GetTableAsync("rres_dst", name);
            Assert.Equal(left.Tables[$"rres_dst.{name}"], table!.Id);
            await AssertSameRowsAsync("rres_src", "rres_dst", name, backup.BackupTs);
        }

        // Every group ingested again into the restored tables (kept in a checkpoint storage this time): the checksums
        // still match and the rows are the same.
        var meta = (await BackupContents.ReadAsync(fixture.Folder.Sub("rres-backup"))).Meta;
        var again = restore with { CheckpointStorage = fixture.Storage("rres-cpt") };
        await using (var cpt = await Cairn.Storage.ExternalStorage.OpenAsync(again.CheckpointStorage))
        {
            var tables = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var name in new[] { "t1", "t2" })
            {
                tables[$"rres_dst.{name}"] = (await fixture.TargetCatalog.GetTableAsync("rres_dst", name))!.Id;
            }

            await RestoreCheckpointStore.InStorage(cpt).WriteAsync(new RestoreCheckpointRecord
            {
                FormatVersion = 1, UpstreamClusterId = meta.ClusterId, RestoredTs = meta.EndVersion, Hash = RestoreCheckpoint.Hash(again), Tables = tables,
            }, CancellationToken.None);
        }

        var twice = await RestoreJob.RunAsync(again);
        Assert.True(twice.Succeeded);
        Assert.True(twice.Resumed);
        Assert.Equal(0, twice.SkippedFileGroups);
        Assert.Equal(resumed.Files, twice.Files);
        foreach (var name in new[] { "t1", "t2" })
        {
            await AssertSameRowsAsync("rres_src", "rres_dst", name, backup.BackupTs);
        }

        Assert.False(File.Exists(Path.Combine(fixture.Folder.Sub("rres-cpt"), RestoreCheckpointStore.ObjectPath)));

        // A checkpoint of another restore (another filter) is refused with how to clear it; --use-checkpoint=false clears it.
        await using (var cpt = await Cairn.Storage.ExternalStorage.OpenAsync(again.CheckpointStorage))
        {
            await RestoreCheckpointStore.InStorage(cpt).WriteAsync(new RestoreCheckpointRecord
            {
                FormatVersion = 1, UpstreamClusterId = meta.ClusterId, RestoredTs = meta.EndVersion, Hash = "another", Tables = [],
            }, CancellationToken.None);
        }

        var other = restore with { Renames = [new TableRename("rres_src", null, "rres_other", null)], CheckpointStorage = again.CheckpointStorage };
        var refused = await Assert.ThrowsAsync<BrException>(() => RestoreJob.RunAsync(other));
        Assert.Equal(RestoreCheckpoint.InvalidCode, refused.Code);
        Assert.Contains("holds the checkpoint of another restore", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--use-checkpoint=false", refused.Message, StringComparison.Ordinal);
        Assert.Null(await fixture.TargetCatalog.GetDatabaseAsync("rres_other"));
        Assert.True((await RestoreJob.RunAsync(other with { UseCheckpoint = false })).Succeeded);
        Assert.False(File.Exists(Path.Combine(fixture.Folder.Sub("rres-cpt"), RestoreCheckpointStore.ObjectPath)));
    }

    /// <summary>The target table holds exactly the source's rows at the backup's snapshot, with consistent indexes.</summary>
    private async Task AssertSameRowsAsync(string sourceDb, string targetDb, string name, ulong backupTs)
    {
        var source = await Table.OpenAsync(fixture.SourceCatalog, sourceDb, name);
        var target = await Table.OpenAsync(fixture.TargetCatalog, targetDb, name);
        Assert.Empty(await target.CheckIndexesAsync());
        Assert.Equal(await source.CountAsync(backupTs), await target.CountAsync());
        var expected = (await source.ScanAsync(backupTs)).Select(Render).ToList();
        var actual = (await target.ScanAsync()).Select(Render).ToList();
        Assert.Equal(expected, actual);
    }

    private static string Render(IReadOnlyDictionary<string, Datum> row) => string.Join('|', row.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

    private static List<string> Sums(BackupContents contents) =>
        [.. contents.Schemas.Select(s => $"{CatalogJson.Deserialize<TableInfo>(s.Table.Span).Name.O}:{s.Crc64Xor}:{s.TotalKvs}:{s.TotalBytes}").Order(StringComparer.Ordinal)];

    private static List<string> Pairs(BackupContents contents, string folder) =>
        [.. contents.ReadPairs(folder).Select(p => $"{Convert.ToHexString(p.Key)}@{p.CommitTs}={Convert.ToHexString(p.Value)}").Order(StringComparer.Ordinal)];
}
