using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Cairn.Faults.Tests;

/// <summary>
/// The soak (run by bench/soak/run.sh): CAIRN_SOAK_CYCLES times, a backup of A under bank transfers and a random fault
/// of the matrix, then a restore of that backup into B under another random fault, then every check of
/// <see cref="Jobs"/>. Prints, per cycle, the faults with their seeds and timings and the result, and last
/// "cycles: N, violations: V" (also appended to CAIRN_SOAK_OUT when set). Any violation fails it.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    [SoakFact]
    public async Task Backup_under_transfers_then_restore_then_verify_survive_random_faults_in_every_cycle()
    {
        var cycles = int.Parse(Environment.GetEnvironmentVariable("CAIRN_SOAK_CYCLES")!, CultureInfo.InvariantCulture);
        var seed = Environment.GetEnvironmentVariable("CAIRN_SOAK_SEED") is { Length: > 0 } s ? int.Parse(s, CultureInfo.InvariantCulture) : Random.Shared.Next();
        var report = Environment.GetEnvironmentVariable("CAIRN_SOAK_OUT");
        var random = new Random(seed);
        var kinds = Enum.GetValues<FaultKind>().Where(k => k != FaultKind.DiskFull || Tmpfs.Refusal is null).ToArray();
        void Print(string line)
        {
            output.WriteLine(line);
            if (report is not null)
            {
                File.AppendAllText(report, line + "\n");
            }
        }

        Print($"soak: {cycles} cycles, seed {seed}, faults drawn from {string.Join(", ", kinds)}");
        var fixture = new RestoreFaultFixture();
        var violations = 0;
        var clock = Stopwatch.StartNew();
        await fixture.InitializeAsync();
        try
        {
            Print($"clusters loaded and base backups taken in {clock.Elapsed.TotalSeconds:0} s");
            for (var cycle = 1; cycle <= cycles; cycle++)
            {
                var backupFault = kinds[random.Next(kinds.Length)];
                var restoreFault = kinds[random.Next(kinds.Length)];
                // A restore reaches the proxy only for a backup in GCS, which only a storage-fault backup writes.
                while (restoreFault == FaultKind.StorageFaults && backupFault != FaultKind.StorageFaults)
                {
                    restoreFault = kinds[random.Next(kinds.Length)];
                }

                var (backupSeed, restoreSeed) = (random.Next(), random.Next());
                Print($"## cycle {cycle}/{cycles}: backup under {backupFault} (seed {backupSeed}), restore under {restoreFault} (seed {restoreSeed})");
                var started = clock.Elapsed;
                try
                {
                    await using var jobs = new Jobs(fixture.Source, fixture.B) { Log = l => Print("  " + l) };
                    var backup = await jobs.BackUpAsync(backupFault, backupSeed) ?? throw new FaultViolationException("the backup's fault could not be set up");
                    var prefix = backupFault == FaultKind.StorageFaults ? new Uri(backup.Url).AbsolutePath.Trim('/') : null;
                    if (!await jobs.RestoreAndVerifyAsync(backup, restoreFault, restoreSeed, prefix))
                    {
                        throw new FaultViolationException("the restore's fault could not be set up");
                    }

                    Print($"  result: ok ({(clock.Elapsed - started).TotalSeconds:0.0} s)");
                }
                catch (Exception e)
                {
                    violations++;
                    Print($"  result: VIOLATION ({(clock.Elapsed - started).TotalSeconds:0.0} s): {e.GetType().Name}: {e.Message}");
                }
            }
        }
        finally
        {
            Print($"soak took {clock.Elapsed.TotalMinutes:0.0} min");
            Print($"cycles: {cycles}, violations: {violations}");
            await fixture.DisposeAsync();
        }

        Assert.Equal(0, violations);
    }
}
