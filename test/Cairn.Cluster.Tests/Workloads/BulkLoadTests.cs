using Cairn.Client;
using Cairn.Client.Catalog;
using Cairn.Client.Regions;
using Cairn.Client.Tables;
using Cairn.Common.Codec;
using Cairn.Common.Keys;
using Cairn.Rpc.ImportSstpb;
using Cairn.Workloads;
using Cairn.Workloads.Bulk;
using Microsoft.Extensions.Logging;

namespace Cairn.Cluster.Tests.Workloads;

/// <summary>
/// The bulk load path of the workloads: rows encoded into SSTs and ingested through the import service give the same
/// tables as a transactional load, in several regions, with the stores back in normal mode and no staging left.
/// </summary>
public sealed class BulkLoadTests(BulkLoadFixture f) : IClassFixture<BulkLoadFixture>
{
    private const int Rows = 8_000;

    // Small files, so that each table's data spans several file pairs and so several regions.
    private BulkLoadOptions Options(ILogger? logger = null) => new() { StagingRoot = f.Staging.Path, FileBytes = 512 * 1024, ImportConcurrency = 4, Logger = logger };

    private void AssertStoresNormalAndStagingGone()
    {
        for (var i = 0; i < f.Cluster.StoreCount; i++)
        {
            Assert.Equal(SwitchMode.Normal, f.Cluster.Store(i).ImportMode.Mode);
        }

        Assert.Empty(Directory.GetFileSystemEntries(f.Staging.Path));
    }

    [Fact]
    public async Task A_bulk_loaded_sysbench_set_verifies_has_the_transactional_checksum_spans_regions_and_takes_transactional_writes()
    {
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        var bulk = new SysbenchWorkload(f.Catalog) { Database = "bulk_sb", Tables = 2, Rows = Rows };
        var result = await bulk.BulkLoadAsync(Options(loggerFactory.CreateLogger("bulk")));

        Assert.Equal(2L * Rows, result.Rows);
        Assert.Equal(2UL * 2 * Rows, result.Kvs);
        Assert.Empty(await bulk.VerifyAsync());
        AssertStoresNormalAndStagingGone();
        Assert.Empty(logs.AtLeast(LogLevel.Warning));

        var transactional = new SysbenchWorkload(f.Catalog) { Database = "txn_sb", Tables = 2, Rows = Rows };
        await transactional.LoadAsync();
        var checksums = new TableChecksum(f.Client);
        foreach (var table in new[] { "sbtest1", "sbtest2" })
        {
            var expected = await checksums.ChecksumTableAsync(f.Catalog, "txn_sb", table);
            Assert.Equal(expected, await checksums.ChecksumTableAsync(f.Catalog, "bulk_sb", table));
            Assert.Equal(2UL * Rows, expected.TotalKvs);

            var info = (await f.Catalog.GetTableAsync("bulk_sb", table))!;
            var regions = await f.Pd.ScanRegionsAsync(RegionCache.ToRegionKey(TableCodec.TablePrefix(info.Id), KeyMode.Txn),
                RegionCache.ToRegionKey(TableCodec.TablePrefix(info.Id + 1), KeyMode.Txn), 0);
            Assert.True(regions.Count > 1, $"{table} lies in {regions.Count} region");
        }

        // The loaded rows take transactional writes, and new rows get ids past the loaded ones.
        var loaded = await Table.OpenAsync(f.Catalog, "bulk_sb", "sbtest1");
        Assert.True(await loaded.UpdateAsync(new RowHandle(5, null), new Dictionary<string, Datum> { ["k"] = Datum.FromInt64(-42) }));
        Assert.Equal(-42, (await loaded.GetAsync(new RowHandle(5, null)))!["k"].Int64);
        var added = await loaded.InsertAsync(new Dictionary<string, Datum> { ["k"] = Datum.FromInt64(1), ["c"] = Datum.FromString("new"), ["pad"] = Datum.FromString("row") });
        Assert.True(added.Int > Rows, $"new row got id {added.Int}");
        Assert.Empty(await loaded.CheckIndexesAsync());
    }

    [Fact]
    public async Task A_bulk_loaded_bank_keeps_its_invariant_under_transfers()
    {
        var bank = new BankWorkload(f.Catalog) { Database = "bulk_bank", Accounts = 2_000 };
        var result = await bank.BulkLoadAsync(Options());

        Assert.Equal(2_000, result.Rows);
        Assert.Empty(await bank.VerifyAsync());
        Assert.True(await bank.RunAsync(workers: 4, transfers: 25) > 0);
        Assert.Empty(await bank.VerifyAsync());
        AssertStoresNormalAndStagingGone();
    }

    [Fact]
    public async Task A_table_holding_rows_is_refused_with_one_line_and_left_as_it_was()
    {
        var bank = new BankWorkload(f.Catalog) { Database = "full_bank", Accounts = 10 };
        await bank.LoadAsync();
        var loader = new BulkLoader(f.Catalog, Options());

        var e = await Assert.ThrowsAsync<BulkLoadException>(() => loader.LoadAsync([new BulkTable("full_bank", "accounts", 10, n => new Dictionary<string, Datum> { ["id"] = Datum.FromInt64(n), ["balance"] = Datum.FromInt64(1) })]));

        Assert.Contains("full_bank.accounts already holds", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(await bank.VerifyAsync());
        AssertStoresNormalAndStagingGone();
    }

    [Fact]
    public async Task Rows_out_of_handle_order_fail_the_load_and_leave_no_staging()
    {
        await f.Catalog.CreateDatabaseAsync("unordered");
        await f.Catalog.CreateTableAsync("unordered", new TableInfo
        {
            Name = new CIStr("t"),
            Columns = [WorkloadColumns.Int("id"), WorkloadColumns.Int("v")],
            Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id")],
        });
        var loader = new BulkLoader(f.Catalog, Options());

        var e = await Assert.ThrowsAsync<BulkLoadException>(() => loader.LoadAsync([new BulkTable("unordered", "t", 10, n => new Dictionary<string, Datum> { ["id"] = Datum.FromInt64(10 - n), ["v"] = Datum.FromInt64(n) })]));

        Assert.Contains("ascending handle order", e.Message);
        Assert.Equal(0, await (await Table.OpenAsync(f.Catalog, "unordered", "t")).CountAsync());
        AssertStoresNormalAndStagingGone();
    }

    [Theory]
    [InlineData(1, "workload", "sysbench", "--bulk", "--pd", "127.0.0.1:1")]
    [InlineData(2, "workload", "sysbench", "--bulk")]
    [InlineData(2, "workload", "bank", "--bulk", "--pd", "127.0.0.1:1", "--accounts", "1")]
    public async Task Bad_input_to_a_bulk_load_exits_with_one_line(int code, params string[] args)
    {
        var (exitCode, _, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), args);

        Assert.True(exitCode == code, $"cairn {string.Join(' ', args)} exited with {exitCode}: {stderr}");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{stderr}");
        Assert.DoesNotContain("   at ", stderr);
    }
}
