namespace Cairn.Faults.Tests;

/// <summary>
/// The backup half of the fault matrix: <c>br backup full</c> of A while bank transfers run, under each fault of
/// <see cref="FaultKind"/> (<see cref="Jobs"/> says what every case checks), then a restore of it into A under other
/// names, compared with A at the backup TS. Each case's random choices come from one seed, printed first
/// (CAIRN_FAULT_SEED replays it).
/// </summary>
public sealed class BackupFaultTests(BackupFaultFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<BackupFaultFixture>
{
    /// <summary>The faults both halves inject in every test run (the disk that fills has its own facts, which need tmpfs).</summary>
    public static TheoryData<FaultKind> Faults => [FaultKind.StoreKill, FaultKind.PdKill, FaultKind.SplitStorm, FaultKind.StorageFaults, FaultKind.BrKill];

    [Theory]
    [MemberData(nameof(Faults))]
    public Task A_backup_under_the_fault_completes_or_fails_clearly_and_completes_again_and_restores_equal_to_the_source(FaultKind fault) =>
        CaseAsync(fault);

    [TmpfsFact]
    public Task A_backup_whose_disk_fills_fails_clearly_and_completes_once_there_is_room() => CaseAsync(FaultKind.DiskFull);

    private async Task CaseAsync(FaultKind fault)
    {
        var seed = FaultSeed.For(output);
        await using var jobs = new Jobs(fixture.Source, fixture.Source.A) { Log = output.WriteLine };
        var backup = await jobs.BackUpAsync(fault, seed);
        Assert.NotNull(backup);
        Assert.True(await jobs.RestoreAndVerifyAsync(backup.Value, null, seed));
    }
}
