using System.Globalization;
using Cairn.Br.Tests.Restore;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;
using Cairn.Workloads;

namespace Cairn.Br.Tests.Incremental;

/// <summary>
/// An incremental backup is refused, with the values named and nothing written, when its start is not before its
/// end, is at or below the GC safepoint, or its --incremental-from is raw, missing or disagrees with --lastbackupts;
/// an accepted one stores start_version and the DDL jobs since it.
/// </summary>
public sealed class IncrementalBackupRefusalTests(RestoreClusterFixture fixture) : IClassFixture<RestoreClusterFixture>
{
    private static string N(ulong ts) => ts.ToString(CultureInfo.InvariantCulture);

    private bool IsEmpty(string name) => !Directory.Exists(fixture.Folder.Sub(name)) || !Directory.EnumerateFileSystemEntries(fixture.Folder.Sub(name)).Any();

    [Fact]
    public async Task Bad_start_points_are_refused_naming_the_values_and_a_good_one_records_start_version_and_ddls()
    {
        await fixture.SourceCatalog.CreateDatabaseAsync("ir_db");
        await fixture.SourceCatalog.CreateTableAsync("ir_db", new TableInfo
        {
            Name = new CIStr("t"),
            Columns = [WorkloadColumns.Int("id"), WorkloadColumns.Text("c")],
            Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id")],
        });
        var table = await Table.OpenAsync(fixture.SourceCatalog, "ir_db", "t");
        await table.InsertAsync(new Dictionary<string, Datum> { ["id"] = Datum.FromInt64(1), ["c"] = Datum.FromString("x") });
        var full = await fixture.BackUpAsync("ir-full", o => o);
        var raw = await fixture.BackUpAsync("ir-raw", o => o with { Kind = BackupKind.Raw, Raw = new RawBackupRange([0x01], [0x02]) });
        Assert.True(raw.Succeeded);

        var now = await fixture.SourcePd.GetTimestampAsync();
        var cases = new (string Name, Func<BackupOptions, BackupOptions> Options, string Code, string[] Names)[]
        {
            ("equal", o => o with { BackupTs = now, LastBackupTs = now }, "ErrInvalidArgument", [N(now)]),
            ("after", o => o with { LastBackupTs = now + (1000UL << 18) }, "ErrInvalidArgument", [N(now + (1000UL << 18))]),
            ("raw-previous", o => o with { IncrementalFrom = fixture.Storage("ir-raw") }, "ErrInvalidArgument", ["raw"]),
            ("missing-previous", o => o with { IncrementalFrom = fixture.Storage("ir-none") }, "ErrBackupMetaNotFound", ["--incremental-from"]),
            ("differs", o => o with { IncrementalFrom = fixture.Storage("ir-full"), LastBackupTs = full.BackupTs - 1 }, "ErrInvalidArgument", [N(full.BackupTs - 1), N(full.BackupTs)]),
        };
        foreach (var (name, options, code, names) in cases)
        {
            var error = await Assert.ThrowsAsync<BrException>(() => fixture.BackUpAsync("ir-" + name, options));
            Assert.True(code == error.Code, $"{name}: {error.Code} {error.Message}");
            foreach (var part in names)
            {
                Assert.Contains(part, error.Message, StringComparison.Ordinal);
            }

            Assert.DoesNotContain('\n', error.Message);
            Assert.True(IsEmpty("ir-" + name), $"{name} wrote to the storage");
        }

        // An accepted incremental: start_version is the previous end, ddls hold the jobs since, decodable for replay.
        await fixture.SourceCatalog.AddIndexAsync("ir_db", "t", "c_idx", ["c"]);
        await table.InsertAsync(new Dictionary<string, Datum> { ["id"] = Datum.FromInt64(2), ["c"] = Datum.FromString("y") });
        var incremental = await fixture.BackUpAsync("ir-inc", o => o with { IncrementalFrom = fixture.Storage("ir-full") });
        Assert.Equal(full.BackupTs, incremental.LastBackupTs);
        await using var storage = await Cairn.Storage.ExternalStorage.OpenAsync(Cairn.Storage.StorageUrl.Parse(fixture.Storage("ir-inc"), Cairn.Storage.StorageOpenOptions.Default), Cairn.Storage.StorageOpenOptions.Default);
        var reader = await Cairn.Br.Metadata.BackupMetaReader.OpenAsync(storage);
        Assert.Equal(full.BackupTs, reader.Meta.StartVersion);
        Assert.Equal(incremental.BackupTs, reader.Meta.EndVersion);
        var jobs = Cairn.Br.Restore.Incremental.DdlReplayer.Decode(await reader.ReadDdlsAsync());
        var addIndex = Assert.Single(jobs);
        Assert.Equal(DdlActionType.AddIndex, addIndex.Type);
        Assert.NotNull(addIndex.Binlog.TableInfo?.FindIndex("c_idx"));
        Assert.Equal("t", addIndex.TableName);

        // At or below the GC safepoint: the changes since may be gone.
        var old = await fixture.SourcePd.GetTimestampAsync();
        var gc = await fixture.SourcePd.UpdateGcSafePointAsync(old);
        var gcError = await Assert.ThrowsAsync<BrException>(() => fixture.BackUpAsync("ir-gc", o => o with { LastBackupTs = old - 1 }));
        Assert.Equal("ErrBackupGCSafepointExceeded", gcError.Code);
        Assert.Contains(N(old - 1), gcError.Message, StringComparison.Ordinal);
        Assert.Contains(N(gc), gcError.Message, StringComparison.Ordinal);
        Assert.True(IsEmpty("ir-gc"));
    }
}
