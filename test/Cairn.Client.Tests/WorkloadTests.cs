using Cairn.Client.Tables;
using Cairn.Common.Codec;
using Cairn.Workloads;

namespace Cairn.Client.Tests;

public sealed class WorkloadTests(CatalogClusterFixture fixture) : IClassFixture<CatalogClusterFixture>
{
    [Fact]
    public async Task Sysbench_loads_and_verifies_and_verification_catches_a_lost_row()
    {
        var workload = new SysbenchWorkload(fixture.Catalog) { Database = "wl_sb", Tables = 2, Rows = 1_500, BatchSize = 700 };
        await workload.LoadAsync();
        Assert.Empty(await workload.VerifyAsync());

        var table = await Table.OpenAsync(fixture.Catalog, "wl_sb", "sbtest2");
        var row = (await table.GetAsync(new RowHandle(10, null)))!;
        Assert.InRange(row["c"].Bytes.Length + row["pad"].Bytes.Length, 150, 250);
        await table.DeleteAsync(new RowHandle(10, null));
        Assert.Contains(await workload.VerifyAsync(), p => p.Contains("1499 rows", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bank_transfers_keep_the_total()
    {
        var workload = new BankWorkload(fixture.Catalog) { Database = "wl_bank", Accounts = 20, InitialBalance = 500 };
        await workload.LoadAsync();
        var midway = (await fixture.Client.SnapshotAsync()).Timestamp;
        var done = await workload.RunAsync(workers: 4, transfers: 25);
        Assert.True(done > 0);
        Assert.Empty(await workload.VerifyAsync());
        Assert.Empty(await workload.VerifyAsync(midway));

        // The checker notices money appearing from nowhere.
        var table = await Table.OpenAsync(fixture.Catalog, "wl_bank", "accounts");
        await table.UpdateAsync(new RowHandle(0, null), new Dictionary<string, Datum> { ["balance"] = Datum.FromInt64(1_000_000) });
        Assert.NotEmpty(await workload.VerifyAsync());
    }

    [Fact]
    public async Task Catalog_zoo_loads_and_verifies()
    {
        var workload = new CatalogZooWorkload(fixture.Catalog) { Database = "wl_zoo", Rows = 40 };
        await workload.LoadAsync();
        Assert.Empty(await workload.VerifyAsync());
        Assert.Equal(9, workload.ExpectedRows.Count);

        // A fresh verifier (as after a restore) discovers the tables from the catalog.
        var fresh = new CatalogZooWorkload(fixture.Catalog) { Database = "wl_zoo", Rows = 40 };
        Assert.Empty(await fresh.VerifyAsync());

        await fixture.Catalog.DropViewAsync("wl_zoo", "v_base");
        Assert.Contains(await workload.VerifyAsync(), p => p.Contains("v_base", StringComparison.Ordinal));
    }
}
