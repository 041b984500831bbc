using Cairn.Br.Filter;
using Cairn.Br.Restore.Incremental;
using Cairn.Br.Tests.Restore;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;
using Cairn.Common.Hashing;
using Cairn.Common.Keys;
using Cairn.Workloads;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Cairn.Br.Tests.Incremental;

/// <summary>
/// A full backup and incrementals with rows inserted, updated and deleted and DDL between them, bank transfers running
/// throughout, restored in order into one fresh target: after each restore every table's checksum and row count equal
/// the source's at that backup's ts, the bank total holds, and out-of-chain restores are refused naming the ts.
/// </summary>
public sealed class IncrementalChainTests(RestoreClusterFixture fixture, ITestOutputHelper output) : IClassFixture<RestoreClusterFixture>
{
    private const string A = "inc_a";
    private const string C = "inc_c";
    private const string Bank = "inc_bank";
    private const string Sb = "inc_sb";
    private const int Accounts = 20;
    private static readonly TableFilter Chain = TableFilter.Parse(["inc_*.*"]);

    private static TableInfo Items(string name) => new()
    {
        Name = new CIStr(name),
        Columns = [WorkloadColumns.Int("id", FieldType.AutoIncrementFlag), WorkloadColumns.Int("k"), WorkloadColumns.Text("c")],
        Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id"), WorkloadColumns.Index("k_idx", false, false, "k")],
    };

    private static Dictionary<string, Datum> Item(long id, string tag) => new()
    {
        ["id"] = Datum.FromInt64(id), ["k"] = Datum.FromInt64(id % 11), ["c"] = Datum.FromString(id % 7 == 0 ? new string('v', 120) + tag + id : $"{tag}{id}"),
    };

    private async Task InsertAsync(string db, string name, long from, long to, string tag)
    {
        var table = await Table.OpenAsync(fixture.SourceCatalog, db, name);
        await table.InsertManyAsync(Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => (IReadOnlyDictionary<string, Datum>)Item(i, tag)));
    }

    private async Task UpdateAsync(string db, string name, long from, long to, string tag)
    {
        var table = await Table.OpenAsync(fixture.SourceCatalog, db, name);
        await table.WriteAsync(async txn =>
        {
            for (var id = from; id <= to; id++)
            {
                await table.UpdateAsync(txn, new RowHandle(id, null), new Dictionary<string, Datum> { ["k"] = Datum.FromInt64(id % 5 + 100), ["c"] = Datum.FromString(tag + id) });
            }

            return true;
        });
    }

    private async Task DeleteAsync(string db, string name, long from, long to)
    {
        var table = await Table.OpenAsync(fixture.SourceCatalog, db, name);
        await table.WriteAsync(async txn =>
        {
            for (var id = from; id <= to; id++)
            {
                await table.DeleteAsync(txn, new RowHandle(id, null));
            }

            return true;
        });
    }

    /// <summary>What a cluster holds of the chain's databases at a ts: per table its checksum, rows and definition; the views.</summary>
    private sealed record Point(ulong Ts, Dictionary<string, (KvChecksum Sum, long Rows, TableInfo Info)> Tables, SortedSet<string> Views);

    private static async Task<Point> ReadPointAsync(CatalogClient catalog, ulong ts, Func<string, TableInfo, IReadOnlyDictionary<long, long>?> oldIds)
    {
        var checksums = new TableChecksum(catalog.Client);
        var snapshot = await catalog.Client.SnapshotAsync(ts);
        var tables = new Dictionary<string, (KvChecksum, long, TableInfo)>(StringComparer.Ordinal);
        var views = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var db in await catalog.ListDatabasesAsync(ts))
        {
            if (!Chain.MatchSchema(db.Name.O))
            {
                continue;
            }

            foreach (var table in await catalog.ListTablesAsync(db.Id, ts))
            {
                var name = $"{db.Name.L}.{table.Name.L}";
                if (table.IsView)
                {
                    views.Add(name);
                    continue;
                }

                var sum = await checksums.ChecksumTableAsync(table, ts, oldIds(name, table));
                long rows = 0;
                foreach (var id in table.PhysicalIds)
                {
                    var range = TableCodec.RecordRange(id, table.IsCommonHandle);
                    rows += (await snapshot.ScanAsync(range.Start, range.End, int.MaxValue, keyOnly: true)).Count;
                }

                tables[name] = (sum, rows, table);
            }
        }

        return new Point(ts, tables, views);
    }

    private Task<Point> SourcePointAsync(ulong ts) => ReadPointAsync(fixture.SourceCatalog, ts, (_, _) => null);

    /// <summary>Checks that the target now holds exactly what the source held at <paramref name="expected"/>'s ts.</summary>
    private async Task AssertTargetMatchesAsync(string step, Point expected)
    {
        var now = await fixture.TargetPd.GetTimestampAsync();
        var actual = await ReadPointAsync(fixture.TargetCatalog, now, (name, table) =>
            expected.Tables.TryGetValue(name, out var source) ? new Dictionary<long, long> { [table.Id] = source.Info.Id } : null);
        Assert.True(expected.Tables.Keys.Order().SequenceEqual(actual.Tables.Keys.Order()),
            $"{step}: tables {string.Join(",", actual.Tables.Keys.Order())}, expected {string.Join(",", expected.Tables.Keys.Order())}");
        Assert.True(expected.Views.SequenceEqual(actual.Views), $"{step}: views {string.Join(",", actual.Views)}, expected {string.Join(",", expected.Views)}");
        foreach (var (name, (sum, rows, info)) in expected.Tables)
        {
            var got = actual.Tables[name];
            Assert.True(rows == got.Rows, $"{step}: {name} has {got.Rows} rows, the source had {rows}");
            Assert.True(info.Indexes.Select(i => i.Name.L).Order().SequenceEqual(got.Info.Indexes.Select(i => i.Name.L).Order()), $"{step}: {name} indexes differ");
            Assert.True(sum == got.Sum, $"{step}: {name} checksum {got.Sum}, the source's {sum}");
        }

        Assert.Empty(await new BankWorkload(fixture.TargetCatalog) { Database = Bank, Accounts = Accounts }.VerifyAsync());
        Assert.Empty(await new SysbenchWorkload(fixture.TargetCatalog) { Database = Sb, Tables = 1, Rows = 300 }.VerifyAsync());
        output.WriteLine($"{step}: {expected.Tables.Count} tables, {expected.Views.Count} views match the source at {expected.Ts}");
    }

    private async Task<RestoreSummary> RestoreAsync(string name, ILoggerFactory? loggers = null) =>
        await RestoreJob.RunAsync(fixture.Restore(name) with { Filter = Chain }, loggerFactory: loggers);

    [Fact]
    public async Task A_full_backup_and_its_incrementals_restore_in_order_to_the_source_state_at_each_backup()
    {
        var source = fixture.SourceCatalog;
        await source.CreateDatabaseAsync(A);
        foreach (var name in new[] { "t1", "t2", "t3" })
        {
            await source.CreateTableAsync(A, Items(name));
            await InsertAsync(A, name, 1, 120, "a");
        }

        await new SysbenchWorkload(source) { Database = Sb, Tables = 1, Rows = 300, BatchSize = 300 }.LoadAsync();
        var bank = new BankWorkload(source) { Database = Bank, Accounts = Accounts };
        await bank.LoadAsync();
        using var stopBank = new CancellationTokenSource();
        var transfers = bank.RunAsync(workers: 2, transfers: 1_000_000, stopBank.Token);
        try
        {
            var b0 = await fixture.BackUpAsync("chain-0", o => o with { Filter = Chain });
            var p0 = await SourcePointAsync(b0.BackupTs);

            // 1: rows inserted, updated and deleted; a table, an index, a database and a view created; sysbench mutated.
            await InsertAsync(A, "t1", 121, 160, "b");
            await UpdateAsync(A, "t1", 1, 20, "u1-");
            await DeleteAsync(A, "t1", 21, 40);
            await source.CreateTableAsync(A, Items("t4"));
            await InsertAsync(A, "t4", 1, 50, "d");
            await source.AddIndexAsync(A, "t2", "c_idx", ["c"]);
            await source.CreateDatabaseAsync(C);
            await source.CreateTableAsync(C, Items("u1"));
            await InsertAsync(C, "u1", 1, 30, "e");
            await source.CreateViewAsync(A, "v1", $"SELECT `id` FROM `{A}`.`t1`", ["id"], [$"{A}.t1"]);
            var mutated = await new SysbenchMutation(source) { Database = Sb, Tables = 1, Percent = 10, Seed = 1 }.RunAsync();
            Assert.Equal(30, mutated[0].Updated + mutated[0].Deleted + mutated[0].Inserted);
            Assert.Equal(mutated[0].Deleted, mutated[0].Inserted);
            var b1 = await fixture.BackUpAsync("chain-1", o => o with { Filter = Chain, IncrementalFrom = fixture.Storage("chain-0") });
            Assert.Equal(b0.BackupTs, b1.LastBackupTs);
            var p1 = await SourcePointAsync(b1.BackupTs);

            // 2: truncate and refill, rename, drop an index, more updates and deletes, drop the view.
            await source.TruncateTableAsync(A, "t3");
            await InsertAsync(A, "t3", 1, 10, "f");
            await source.RenameTableAsync(A, "t2", A, "t2r");
            await source.DropIndexAsync(A, "t1", "k_idx");
            await UpdateAsync(A, "t1", 41, 60, "u2-");
            await DeleteAsync(A, "t1", 61, 70);
            await source.DropViewAsync(A, "v1");
            var b2 = await fixture.BackUpAsync("chain-2", o => o with { Filter = Chain, LastBackupTs = b1.BackupTs });
            var p2 = await SourcePointAsync(b2.BackupTs);

            // 3: drop a table and a database, create and rename a table, mutate again; then the bank stops.
            await source.DropTableAsync(A, "t4");
            await source.DropDatabaseAsync(C);
            await source.CreateTableAsync(A, Items("t5"));
            await InsertAsync(A, "t5", 1, 25, "g");
            await source.RenameTableAsync(A, "t5", A, "t5r");
            await UpdateAsync(A, "t5r", 1, 5, "u3-");
            await new SysbenchMutation(source) { Database = Sb, Tables = 1, Percent = 5, Seed = 2 }.RunAsync();
            await stopBank.CancelAsync();
            Assert.True(await transfers > 0);
            var b3 = await fixture.BackUpAsync("chain-3", o => o with { Filter = Chain, IncrementalFrom = fixture.Storage("chain-2") });
            var p3 = await SourcePointAsync(b3.BackupTs);

            // 4: nothing changed since 3.
            var b4 = await fixture.BackUpAsync("chain-4", o => o with { Filter = Chain, IncrementalFrom = fixture.Storage("chain-3") });
            Assert.Equal(0, b4.TotalKvs);
            var p4 = await SourcePointAsync(b4.BackupTs);

            // The source has restored nothing: an incremental cannot start a chain there.
            var noChain = await Assert.ThrowsAsync<BrException>(() => RestoreJob.RunAsync(fixture.Restore("chain-1") with { Filter = Chain, PdAddresses = [fixture.Source.PdAddress] }));
            Assert.Equal(RestoreChain.OutOfChainCode, noChain.Code);
            Assert.Contains("no restored backup", noChain.Message, StringComparison.Ordinal);

            // A refused incremental names the ts it starts at, the ts the target's chain ends at, and why.
            async Task AssertOutOfChainAsync(string backup, ulong startsAt, ulong endsAt, string why)
            {
                var refused = await Assert.ThrowsAsync<BrException>(() => RestoreAsync(backup));
                Assert.Equal(RestoreChain.OutOfChainCode, refused.Code);
                Assert.Contains($"starts at ts {startsAt}", refused.Message, StringComparison.Ordinal);
                Assert.Contains($"ends at ts {endsAt}", refused.Message, StringComparison.Ordinal);
                Assert.Contains(why, refused.Message, StringComparison.Ordinal);
            }

            using var logs = new CapturingLoggerProvider();
            using var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
            await RestoreAsync("chain-0", loggers);
            await AssertTargetMatchesAsync("full", p0);

            // A gap: chain-2 does not follow chain-0; refused naming both ts, the target unchanged.
            await AssertOutOfChainAsync("chain-2", b1.BackupTs, b0.BackupTs, "gap");
            await AssertTargetMatchesAsync("after the refused gap", p0);

            await RestoreAsync("chain-1", loggers);
            await AssertTargetMatchesAsync("incremental 1", p1);
            await RestoreAsync("chain-2", loggers);
            await AssertTargetMatchesAsync("incremental 2", p2);

            // Wrong order: chain-1 again after chain-2.
            await AssertOutOfChainAsync("chain-1", b0.BackupTs, b2.BackupTs, "out of order");
            await AssertTargetMatchesAsync("after the refused wrong order", p2);

            await RestoreAsync("chain-3", loggers);
            await AssertTargetMatchesAsync("incremental 3", p3);
            var noop = await RestoreAsync("chain-4", loggers);
            Assert.True(noop.Succeeded);
            Assert.Equal(0UL, noop.TotalKvs);
            await AssertTargetMatchesAsync("empty incremental 4", p4);
            Assert.Empty(logs.AtLeast(LogLevel.Warning));
        }
        finally
        {
            await stopBank.CancelAsync();
            await transfers;
        }
    }
}
