using Cairn.Br.Restore.Data;
using Cairn.Client;
using Cairn.Client.Raw;
using Cairn.Client.Regions;
using Cairn.Client.Tables;
using Cairn.Common.Keys;
using Cairn.Rpc.ImportSstpb;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.Tests.Restore.Data;

public sealed class DataRestorerTests(DataRestoreFixture f) : IClassFixture<DataRestoreFixture>
{
    private static byte[] RegionKey(byte[] userKey) => RegionCache.ToRegionKey(userKey, KeyMode.Txn);

    private void AssertAllStoresNormal()
    {
        for (var i = 0; i < f.Cluster.StoreCount; i++)
        {
            Assert.Equal(SwitchMode.Normal, f.Cluster.Store(i).ImportMode.Mode);
        }
    }

    private async Task<Dictionary<long, string>> RowsAsync(string db, string table)
    {
        var rows = await (await Table.OpenAsync(f.Catalog, db, table)).ScanAsync();
        return rows.ToDictionary(r => r["id"].Int64, r => r["c"].ToString()!);
    }

    private async Task<Cairn.Common.Hashing.KvChecksum> RestoredChecksumAsync(Cairn.Client.Catalog.TableInfo created, long oldId)
    {
        var ts = (await f.Client.SnapshotAsync()).Timestamp;
        return await f.Connection.Checksums.ChecksumTableAsync(created, ts, new Dictionary<long, long> { [created.Id] = oldId });
    }

    [Fact]
    public async Task A_restored_table_reads_back_under_its_new_ids_with_the_backup_checksum_in_scattered_regions_that_all_hold_data()
    {
        var (source, folder, created, plan) = await f.BackUpTableAsync("a", 400);
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var progress = new List<BackupProgress>();
        var modesDuringIngest = new List<SwitchMode>();
        var restorer = f.Restorer(folder, loggerFactory.CreateLogger("restore"), progress: new SyncProgress(progress.Add), beforeIngest: (_, _) =>
        {
            lock (modesDuringIngest)
            {
                modesDuringIngest.AddRange(Enumerable.Range(0, f.Cluster.StoreCount).Select(i => f.Cluster.Store(i).ImportMode.Mode));
            }

            return Task.CompletedTask;
        });

        var result = await restorer.RestoreTablesAsync([plan], 0, CancellationToken.None);

        Assert.Equal(plan.Files.Count, result.Files);
        Assert.Equal(plan.Files.Aggregate(0UL, (s, file) => s + file.TotalKvs), result.Kvs);
        var table = Assert.Single(result.Tables);
        Assert.Equal(created.Id, table.NewPhysicalId);
        Assert.Equal(await RowsAsync("rd_a_src", "t"), await RowsAsync("rd_a_dst", "t"));
        Assert.Empty(await (await Table.OpenAsync(f.Catalog, "rd_a_dst", "t")).CheckIndexesAsync());
        var backedUp = await f.Connection.Checksums.ChecksumTableAsync(f.Catalog, "rd_a_src", "t");
        Assert.Equal(backedUp, await RestoredChecksumAsync(created, source.Id));

        // The stores were in import mode while data went in, and are back to normal.
        Assert.NotEmpty(modesDuringIngest);
        Assert.All(modesDuringIngest, m => Assert.Equal(SwitchMode.Import, m));
        AssertAllStoresNormal();
        Assert.Empty(logs.AtLeast(LogLevel.Warning));
        Assert.Contains(progress, p => p.Phase == DataRestorer.SplitPhase && p.Done == p.Total && p.Total == result.Ranges);
        Assert.Contains(progress, p => p.Phase == DataRestorer.ImportPhase && p.Done == p.Total && p.Total == plan.Files.Count);

        // The table's key space is split between its index and record ranges, every region there holds restored
        // keys, and pd spread them over the stores.
        var tableStart = TableCodec.TablePrefix(created.Id);
        var tableEnd = TableCodec.TablePrefix(created.Id + 1);
        var regions = await f.Pd.ScanRegionsAsync(RegionKey(tableStart), RegionKey(tableEnd), 0);
        Assert.True(regions.Count >= 2, $"{regions.Count} regions hold the restored table");
        var snapshot = await f.Client.SnapshotAsync();
        foreach (var region in regions)
        {
            var start = RegionCache.ToUserKey(region.Region.StartKey.Span, KeyMode.Txn);
            var end = region.Region.EndKey.IsEmpty ? tableEnd : RegionCache.ToUserKey(region.Region.EndKey.Span, KeyMode.Txn);
            start = start.AsSpan().SequenceCompareTo(tableStart) < 0 ? tableStart : start;
            end = end.AsSpan().SequenceCompareTo(tableEnd) > 0 ? tableEnd : end;
            Assert.True((await snapshot.ScanAsync(start, end, limit: 1)).Count > 0,
                $"region {region.Region.Id} [{Convert.ToHexString(start)}, {Convert.ToHexString(end)}) holds no restored key; regions: {string.Join(" ", regions.Select(r => Convert.ToHexString(r.Region.StartKey.Span)))}; files: {string.Join(" ", plan.Files.Select(x => $"{x.Name}:{x.TotalKvs}"))}");
        }

        await f.Cluster.WaitUntilAsync(async () =>
            (await f.Pd.ScanRegionsAsync(RegionKey(tableStart), RegionKey(tableEnd), 0)).Where(r => r.Leader is not null).Select(r => r.Leader!.StoreId).Distinct().Count() >= 2,
            "the restored table's regions to lead on two stores");

        // Ingesting the same files again changes nothing.
        await restorer.RestoreTablesAsync([plan], 0, CancellationToken.None);
        Assert.Equal(await RowsAsync("rd_a_src", "t"), await RowsAsync("rd_a_dst", "t"));
        Assert.Equal(backedUp, await RestoredChecksumAsync(created, source.Id));
    }

    [Fact]
    public async Task A_file_missing_from_the_backup_fails_naming_it_and_its_table_and_leaves_the_stores_in_normal_mode()
    {
        var (source, folder, created, plan) = await f.BackUpTableAsync("b", 60);
        var lost = plan.Files.First(file => file.Cf == "write" && file.TotalKvs > 0);
        System.IO.File.Delete(Path.Combine(folder, lost.Name));
        using var loggerFactory = LoggerFactory.Create(_ => { });

        var error = await Assert.ThrowsAsync<BrException>(() => f.Restorer(folder, loggerFactory.CreateLogger("restore")).RestoreTablesAsync([plan], 0, CancellationToken.None));

        Assert.Equal("ErrKVDownloadFailed", error.Code);
        // The stores here share one folder; with local:// br cannot tell that from separate disks, so a file written
        // by another store than the one reading it is reported as not on the reader's disk.
        Assert.Matches($@"^file {System.Text.RegularExpressions.Regex.Escape(lost.Name)} of table rd_b_dst\.t (is missing from the backup|is not on store \d+'s disk)", error.Message);
        AssertAllStoresNormal();
    }

    [Fact]
    public async Task A_cancelled_restore_still_switches_the_stores_back_to_normal_mode()
    {
        var (_, folder, _, plan) = await f.BackUpTableAsync("e", 40);
        using var cancel = new CancellationTokenSource();
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        var options = new DataRestoreOptions { Concurrency = 2, RateLimitBytesPerSecond = 1UL << 30 };
        var restorer = f.Restorer(folder, loggerFactory.CreateLogger("restore"), options, beforeIngest: async (_, _) => await cancel.CancelAsync());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => restorer.RestoreTablesAsync([plan], 0, cancel.Token));

        AssertAllStoresNormal();
        Assert.Contains(logs.Entries, e => e.Message.StartsWith("download speed limit 1073741824 bytes/s set on 3 stores", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_region_split_between_download_and_ingest_is_looked_up_again_and_its_data_restored()
    {
        var (source, folder, created, plan) = await f.BackUpTableAsync("c", 200);
        var middle = TableCodec.EncodeRecordKey(created.Id, 100);
        var splits = 0;
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var restorer = f.Restorer(folder, loggerFactory.CreateLogger("restore"), beforeIngest: async (region, _) =>
        {
            if (region.Contains(RegionKey(middle)) && Interlocked.Increment(ref splits) == 1)
            {
                await ClusterSetup.SplitAsync(f.Cluster, f.Pd, [middle], KeyMode.Txn);
            }
        });

        await restorer.RestoreTablesAsync([plan], 0, CancellationToken.None);

        Assert.True(splits >= 2, "the record range was ingested again after the split");
        Assert.Contains(logs.Entries, e => e.Message.Contains("EpochNotMatch", StringComparison.Ordinal) && e.Message.Contains("retrying", StringComparison.Ordinal));
        Assert.Equal(await RowsAsync("rd_c_src", "t"), await RowsAsync("rd_c_dst", "t"));
        Assert.Equal(await f.Connection.Checksums.ChecksumTableAsync(f.Catalog, "rd_c_src", "t"), await RestoredChecksumAsync(created, source.Id));
        AssertAllStoresNormal();
    }

    [Fact]
    public async Task Records_whose_values_all_live_in_the_default_file_are_restored_though_their_write_file_counts_none()
    {
        var (source, folder, created, plan) = await f.BackUpTableAsync("d", 50, longEvery: 1);
        Assert.Contains(plan.Files, file => file.Cf == "write" && file.TotalKvs == 0 && file.Size > 0);
        using var loggerFactory = LoggerFactory.Create(_ => { });

        await f.Restorer(folder, loggerFactory.CreateLogger("restore")).RestoreTablesAsync([plan], 0, CancellationToken.None);

        Assert.Equal(await RowsAsync("rd_d_src", "t"), await RowsAsync("rd_d_dst", "t"));
        Assert.Equal(await f.Connection.Checksums.ChecksumTableAsync(f.Catalog, "rd_d_src", "t"), await RestoredChecksumAsync(created, source.Id));
    }

    [Fact]
    public async Task A_raw_backup_restores_the_keys_of_the_requested_range_unchanged()
    {
        await using var raw = new RawClient(f.Pd);
        var pairs = Enumerable.Range(0, 150).Select(i => KeyValuePair.Create(System.Text.Encoding.ASCII.GetBytes($"rdraw{i:D3}"), System.Text.Encoding.ASCII.GetBytes(i % 3 == 0 ? new string('v', 300) + i : $"v{i}"))).ToList();
        await raw.BatchPutAsync(pairs);
        var (folder, contents) = await f.BackupRawAsync("rdraw"u8.ToArray(), "rdrax"u8.ToArray(), "raw");
        await raw.DeleteRangeAsync("rdraw"u8.ToArray(), "rdrax"u8.ToArray());
        Assert.Empty(await raw.ScanAsync("rdraw"u8.ToArray(), "rdrax"u8.ToArray()));
        using var loggerFactory = LoggerFactory.Create(_ => { });

        // Only [rdraw050, rdraw100) is asked for.
        var result = await f.Restorer(folder, loggerFactory.CreateLogger("restore"))
            .RestoreRawAsync(contents.Files, "rdraw050"u8.ToArray(), "rdraw100"u8.ToArray(), "default", CancellationToken.None);

        Assert.True(result.Files > 0);
        Assert.Empty(result.Tables);
        var back = await raw.ScanAsync("rdraw"u8.ToArray(), "rdrax"u8.ToArray());
        Assert.Equal(pairs.Skip(50).Take(50).Select(p => (System.Text.Encoding.ASCII.GetString(p.Key), System.Text.Encoding.ASCII.GetString(p.Value))),
            back.Select(p => (System.Text.Encoding.ASCII.GetString(p.Key), System.Text.Encoding.ASCII.GetString(p.Value))));
        AssertAllStoresNormal();
    }

    private sealed class SyncProgress(Action<BackupProgress> report) : IProgress<BackupProgress>
    {
        public void Report(BackupProgress value) => report(value);
    }
}
