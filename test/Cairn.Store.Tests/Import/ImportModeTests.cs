using System.Diagnostics;
using Cairn.Rpc.ImportSstpb;
using Cairn.RocksDb;
using Google.Protobuf;
using static Cairn.Store.Tests.Import.BackupSsts;

namespace Cairn.Store.Tests.Import;

public sealed class ImportModeTests(ImportFixture f) : IClassFixture<ImportFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private static readonly string[] CfOptions =
        ["level0_slowdown_writes_trigger", "level0_stop_writes_trigger", "soft_pending_compaction_bytes_limit", "hard_pending_compaction_bytes_limit"];

    private PersistedOptions Options() => f.Node.Engine.Db.ReadPersistedOptions();

    private static Dictionary<string, string> Tuned(PersistedOptions options) =>
        new[] { "default", "write", "lock" }
            .SelectMany(cf => CfOptions.Select(o => ($"{cf}.{o}", options.ColumnFamily(cf)[o])))
            .ToDictionary(p => p.Item1, p => p.Item2);

    private Task SwitchAsync(SwitchMode mode) =>
        f.Channel.ImportSst.SwitchModeAsync(new SwitchModeRequest { Mode = mode }).ResponseAsync;

    [Fact]
    public async Task Import_mode_lifts_the_write_stall_limits_and_normal_mode_restores_the_values_before()
    {
        var before = Tuned(Options());

        await SwitchAsync(SwitchMode.Import);
        var import = Options();
        await SwitchAsync(SwitchMode.Normal);

        foreach (var cf in new[] { "default", "write", "lock" })
        {
            Assert.Equal(1L << 30, import.ColumnFamilyNumber(cf, "level0_slowdown_writes_trigger"));
            Assert.Equal(1L << 30, import.ColumnFamilyNumber(cf, "level0_stop_writes_trigger"));
            Assert.Equal(0, import.ColumnFamilyNumber(cf, "soft_pending_compaction_bytes_limit"));
            Assert.Equal(0, import.ColumnFamilyNumber(cf, "hard_pending_compaction_bytes_limit"));
        }

        Assert.NotEqual(((long)1 << 30).ToString(System.Globalization.CultureInfo.InvariantCulture), before["write.level0_stop_writes_trigger"]);
        Assert.Equal(before, Tuned(Options()));
        Assert.Equal(SwitchMode.Normal, f.Node.ImportMode.Mode);
    }

    [Fact]
    public async Task Import_mode_not_renewed_within_the_timeout_reverts_to_normal_by_itself()
    {
        var before = Tuned(Options());
        var clock = Stopwatch.StartNew();

        await SwitchAsync(SwitchMode.Import);
        Assert.Equal(SwitchMode.Import, f.Node.ImportMode.Mode);
        await Eventually.UntilAsync(() => f.Node.ImportMode.Mode == SwitchMode.Normal, Bound, "import mode reverts");

        Assert.True(clock.Elapsed >= ImportFixture.ModeTimeout * 0.9, $"reverted after {clock.Elapsed}");
        Assert.Equal(before, Tuned(Options()));
    }

    [Fact]
    public async Task A_restart_comes_back_in_normal_mode_with_the_import_folder_emptied()
    {
        var before = Tuned(Options());
        await SwitchAsync(SwitchMode.Import);
        await File.WriteAllTextAsync(Path.Combine(f.ImportDir, "0f0f0f0f-0000-0000-0000-000000000000_1_1_1_write.sst"), "left by a crash");
        await File.WriteAllTextAsync(Path.Combine(f.ImportDir, ".temp", "5_partial.sst"), "half a download");

        await f.Cluster.KillStoreAsync(0);
        await f.Cluster.RestartStoreAsync(0);

        Assert.Equal(SwitchMode.Normal, f.Node.ImportMode.Mode);
        Assert.Equal(before, Tuned(Options()));
        Assert.Empty(Directory.GetFiles(f.ImportDir, "*", SearchOption.AllDirectories));
        Assert.True(Directory.Exists(Path.Combine(f.ImportDir, ".temp")));
    }

    [Fact]
    public async Task The_download_speed_limit_holds_for_the_store_across_concurrent_downloads()
    {
        const ulong limit = 200 * 1024;
        var downloads = new List<DownloadRequest>();
        for (var i = 0; i < 2; i++)
        {
            var (oldTable, newTable) = (f.NewTableId(), f.NewTableId());
            var (_, values) = f.Files.WriteTable($"limited{oldTable}", oldTable,
                [.. Enumerable.Range(0, 300).Select(h => ((long)h, RandomValue(1000)))], f.Ts.Next(), f.Ts.Next());
            downloads.Add(f.TableDownload(values!, "default", oldTable, newTable, f.RegionOfTable(newTable).Region));
        }

        var total = downloads.Sum(d => (double)d.Sst.Length);
        Assert.True(total > 2.5 * limit, $"the files hold {total:N0} bytes");
        await f.Channel.ImportSst.SetDownloadSpeedLimitAsync(new SetDownloadSpeedLimitRequest { SpeedLimit = limit }).ResponseAsync;
        try
        {
            var clock = Stopwatch.StartNew();
            var responses = await Task.WhenAll(downloads.Select(f.DownloadAsync));
            clock.Stop();

            Assert.All(responses, r => Assert.Null(r.Error));
            // The bucket starts with one second's worth; the rest must be paid at the limit, by both downloads
            // together. Each download limited on its own would need only (size - limit) / limit ≈ 0.5 s.
            var floor = TimeSpan.FromSeconds((total - limit) / limit);
            Assert.True(clock.Elapsed >= floor * 0.85, $"{total:N0} bytes in {clock.Elapsed}, floor {floor}");
        }
        finally
        {
            await f.Channel.ImportSst.SetDownloadSpeedLimitAsync(new SetDownloadSpeedLimitRequest { SpeedLimit = 0 }).ResponseAsync;
        }

        var unlimited = downloads[0].Clone();
        unlimited.Sst.Uuid = ByteString.CopyFrom(Guid.NewGuid().ToByteArray());
        var fast = Stopwatch.StartNew();
        Assert.Null((await f.DownloadAsync(unlimited)).Error);
        Assert.True(fast.Elapsed < TimeSpan.FromSeconds(total / 2 / limit), $"unlimited download took {fast.Elapsed}");
    }
}
