using System.Text.RegularExpressions;
using Cairn.Br.Metadata;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Storage;
using Cairn.Workloads;
using Xunit.Abstractions;

namespace Cairn.Br.Tests.Cli;

/// <summary>
/// <c>br backup</c> and <c>br restore</c> as processes between two playgrounds (<see cref="TwoClusterFixture"/>): a full
/// backup of A taken while bank transfers keep running restores into B with every table's checksum equal to A's at the
/// backup's timestamp; and a restore into B survives a store SIGKILLed during download and ingest (it completes, or
/// fails with one line and completes when run again).
/// </summary>
public sealed partial class TwoClusterRestoreTests(TwoClusterFixture fixture, ITestOutputHelper output) : IClassFixture<TwoClusterFixture>
{
    private static readonly TimeSpan BrTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task A_full_backup_under_transfers_restores_into_a_fresh_cluster_with_every_checksum_equal_to_the_source_at_the_backup_ts()
    {
        var backup = await BackUpUnderTransfersAsync();
        var backupTs = await BackupTsAsync(backup);

        var (exit, stdout, stderr) = await BrProcess.RunAsync(fixture.Dir.Path, BrTimeout, "restore", "full", "-u", fixture.B.Pd, "-s", backup, "--log-file", fixture.Dir.Sub("restore-full.log"));

        Assert.True(exit == 0, $"br restore full exited with {exit}:\n{stdout}\n{stderr}");
        Assert.Contains("Full restore succeeded", stdout, StringComparison.Ordinal);
        Assert.Empty(BrProcess.Messages(stderr));
        var compared = 0;
        foreach (var db in (await fixture.CatalogA.ListDatabasesAsync(backupTs)).Where(d => d.Name.L.StartsWith("e2e_", StringComparison.Ordinal)))
        {
            foreach (var table in (await fixture.CatalogA.ListTablesAsync(db.Id, backupTs)).Where(t => !t.IsView))
            {
                await AssertSameAsync(db.Name.O, table, db.Name.O, backupTs);
                compared++;
            }
        }

        Assert.True(compared >= TwoClusterFixture.SysbenchTables + TwoClusterFixture.BigTables + 2, $"only {compared} tables compared");
        await VerifyWorkloadsInBAsync();
    }

    [Fact]
    public async Task A_store_killed_during_download_and_ingest_leaves_a_restore_that_completes_or_fails_clearly_and_completes_when_run_again()
    {
        var backup = fixture.Dir.Sub("backup-big");
        var made = await BrProcess.RunAsync(fixture.Dir.Path, BrTimeout, "backup", "db", "-u", fixture.A.Pd, "-s", backup, "--db", TwoClusterFixture.Big, "--log-file", fixture.Dir.Sub("backup-big.log"));
        Assert.True(made.ExitCode == 0, $"br backup db exited with {made.ExitCode}:\n{made.StandardOutput}\n{made.StandardError}");
        var backupTs = await BackupTsAsync(backup);
        const string target = TwoClusterFixture.Big + "_killed";
        // A download limit per store keeps download and ingest running for seconds, so the kill lands inside it.
        string[] restore = ["restore", "db", "-u", fixture.B.Pd, "-s", backup, "--db", TwoClusterFixture.Big, "--rename", $"{TwoClusterFixture.Big}.*={target}.*", "--ratelimit", "1"];

        var first = BrProcess.Start(fixture.Dir.Path, [.. restore, "--log-file", fixture.Dir.Sub("restore-killed.log")]);
        int exit;
        await using (first)
        {
            await Eventually.UntilAsync(() => first.HasExited || first.Stderr.Contains("[progress] " + Cairn.Br.Restore.Data.DataRestorer.ImportPhase, StringComparison.Ordinal),
                BrTimeout, () => $"br restore never reached download and ingest:\n{first.Stdout}\n{first.Stderr}");
            // Usually still running; a restore that already finished must have passed through the phase.
            Assert.Contains("[progress] " + Cairn.Br.Restore.Data.DataRestorer.ImportPhase, first.Stderr, StringComparison.Ordinal);
            fixture.B.KillStore(1);
            await fixture.B.WaitForRestartAsync(1, TimeSpan.FromMinutes(1));
            Assert.True(await first.WaitForExitAsync(BrTimeout), "br restore did not end");
            exit = first.ExitCode;
            output.WriteLine($"the restore during which store1 was killed exited with {exit}: {string.Join(" | ", BrProcess.Messages(first.Stderr))}");
            if (exit != 0)
            {
                Assert.True(exit == 1, $"br restore exited with {exit}:\n{first.Stdout}\n{first.Stderr}");
                var line = Assert.Single(BrProcess.Messages(first.Stderr));
                Assert.DoesNotContain("   at ", first.Stderr, StringComparison.Ordinal);
                Assert.True(line.Length > 0);
            }
        }

        if (exit != 0)
        {
            // The failed restore dropped what it created, so the same restore is not refused as "already holds data".
            var again = await BrProcess.RunAsync(fixture.Dir.Path, BrTimeout, [.. restore, "--log-file", fixture.Dir.Sub("restore-again.log")]);
            Assert.True(again.ExitCode == 0, $"the second br restore exited with {again.ExitCode}:\n{again.StandardOutput}\n{again.StandardError}");
        }

        for (var t = 1; t <= TwoClusterFixture.BigTables; t++)
        {
            var source = await fixture.CatalogA.GetTableAsync(TwoClusterFixture.Big, $"sbtest{t}", backupTs);
            await AssertSameAsync(TwoClusterFixture.Big, source!, target, backupTs);
        }

        Assert.Empty(await new SysbenchWorkload(fixture.CatalogB) { Database = target, Tables = TwoClusterFixture.BigTables, Rows = TwoClusterFixture.BigRows }.VerifyAsync());
        AssertImportModeOff();
    }

    /// <summary><c>br backup full</c> of A while a bank transfer loop runs on A; returns the backup folder.</summary>
    private async Task<string> BackUpUnderTransfersAsync()
    {
        var backup = fixture.Dir.Sub("backup-full");
        var bank = new BankWorkload(fixture.CatalogA) { Database = TwoClusterFixture.Bank, Accounts = TwoClusterFixture.BankAccounts };
        using var stop = new CancellationTokenSource();
        long duringBackup = 0;
        var backingUp = false;
        var transfers = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var done = await bank.RunAsync(workers: 2, transfers: 3);
                if (Volatile.Read(ref backingUp))
                {
                    Interlocked.Add(ref duringBackup, done);
                }
            }
        });
        try
        {
            // Transfers are committing before the backup starts.
            await Eventually.UntilAsync(() => transfers.IsCompleted || fixture.ClientA.CommittedCount > 0, TimeSpan.FromMinutes(1), "bank transfers to commit");
            Volatile.Write(ref backingUp, true);
            var (exit, stdout, stderr) = await BrProcess.RunAsync(fixture.Dir.Path, BrTimeout, "backup", "full", "-u", fixture.A.Pd, "-s", backup, "--log-file", fixture.Dir.Sub("backup-full.log"));
            Volatile.Write(ref backingUp, false);
            Assert.True(exit == 0, $"br backup full exited with {exit}:\n{stdout}\n{stderr}");
        }
        finally
        {
            await stop.CancelAsync();
            await transfers;
        }

        Assert.True(Interlocked.Read(ref duringBackup) > 0, "no transfer committed while the backup ran");
        return backup;
    }

    private static async Task<ulong> BackupTsAsync(string backup)
    {
        await using var storage = await ExternalStorage.OpenAsync("local://" + backup);
        return (await BackupMetaReader.OpenAsync(storage)).Meta.EndVersion;
    }

    /// <summary>
    /// The table in B equals <paramref name="source"/> in A at <paramref name="backupTs"/>: the same row count, and the
    /// same crc64xor, kvs and bytes once B's keys are hashed with A's table, partition and index ids (matched by name).
    /// </summary>
    private async Task AssertSameAsync(string sourceDb, TableInfo source, string targetDb, ulong backupTs)
    {
        var name = $"{targetDb}.{source.Name.O}";
        var restored = await fixture.CatalogB.GetTableAsync(targetDb, source.Name.O) ?? throw new Xunit.Sdk.XunitException($"{name} is not in B");
        var physical = source.Partition is { } partitions
            ? partitions.Definitions.ToDictionary(d => restored.Partition!.Definitions.Single(r => r.Name.L == d.Name.L).Id, d => d.Id)
            : new Dictionary<long, long> { [restored.Id] = source.Id };
        var indexes = source.Indexes.ToDictionary(i => restored.FindIndex(i.Name.O)!.Id, i => i.Id);
        var expected = await new TableChecksum(fixture.ClientA).ChecksumTableAsync(source, backupTs);
        var actual = await new TableChecksum(fixture.ClientB).ChecksumTableAsync(restored, await fixture.PdB.GetTimestampAsync(), physical, indexes);
        Assert.True(expected == actual, $"{name}: checksum {actual} in B, {expected} in A at the backup ts");
        var sourceRows = await (await Table.OpenAsync(fixture.CatalogA, sourceDb, source.Name.O)).CountAsync(backupTs);
        Assert.True(sourceRows == await (await Table.OpenAsync(fixture.CatalogB, targetDb, source.Name.O)).CountAsync(), $"{name}: row count differs from A's {sourceRows}");
    }

    /// <summary>The workloads' own checks, as processes against B: sysbench's index consistency, catalog-zoo, the bank total.</summary>
    private async Task VerifyWorkloadsInBAsync()
    {
        await fixture.B.CairnAsync(TimeSpan.FromMinutes(2), "workload", "sysbench", "--pd", fixture.B.Pd, "--db", TwoClusterFixture.Sysbench,
            "--tables", $"{TwoClusterFixture.SysbenchTables}", "--rows", $"{TwoClusterFixture.SysbenchRows}", "--verify-only");
        await fixture.B.CairnAsync(TimeSpan.FromMinutes(2), "workload", "catalog-zoo", "--pd", fixture.B.Pd, "--db", TwoClusterFixture.Zoo, "--rows", $"{TwoClusterFixture.ZooRows}", "--verify-only");
        await fixture.B.CairnAsync(TimeSpan.FromMinutes(2), "workload", "bank", "--pd", fixture.B.Pd, "--db", TwoClusterFixture.Bank, "--accounts", $"{TwoClusterFixture.BankAccounts}", "--verify-only");
        var bank = new BankWorkload(fixture.CatalogB) { Database = TwoClusterFixture.Bank, Accounts = TwoClusterFixture.BankAccounts };
        Assert.Empty(await bank.VerifyAsync());
    }

    /// <summary>Every store of B logged import mode off after it last went on (or was restarted since, which starts in normal mode).</summary>
    private void AssertImportModeOff()
    {
        for (var i = 0; i < fixture.B.StoreCount; i++)
        {
            var log = Path.Combine(fixture.B.Dir, $"store{i}.log");
            var lines = File.ReadAllLines(log);
            var on = Array.FindLastIndex(lines, l => l.Contains("Import mode on", StringComparison.Ordinal));
            var off = Array.FindLastIndex(lines, l => l.Contains("Import mode off", StringComparison.Ordinal));
            var started = Array.FindLastIndex(lines, l => StoreListening().IsMatch(l));
            Assert.True(on >= 0, $"store{i} never went into import mode ({log})");
            Assert.True(Math.Max(off, started) > on, $"store{i} is still in import mode: {lines[on]} is its last import-mode line ({log})");
        }
    }

    [GeneratedRegex(@"^store \d+ listening on ")]
    private static partial Regex StoreListening();
}
