namespace Cairn.Faults.Tests;

/// <summary>
/// The restore half of the fault matrix: <c>br restore full</c> of a base backup of A into B under each fault of
/// <see cref="FaultKind"/> (<see cref="Jobs"/> says what every case checks), compared with A at the backup TS. Each
/// case's random choices come from one seed, printed first (CAIRN_FAULT_SEED replays it).
/// </summary>
public sealed class RestoreFaultTests(RestoreFaultFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<RestoreFaultFixture>
{
    [Theory]
    [MemberData(nameof(BackupFaultTests.Faults), MemberType = typeof(BackupFaultTests))]
    public Task A_restore_under_the_fault_completes_or_fails_clearly_and_completes_again_with_data_equal_to_the_source(FaultKind fault) =>
        CaseAsync(fault);

    [TmpfsFact]
    public Task A_restore_onto_a_store_whose_import_disk_is_full_fails_clearly_and_completes_once_there_is_room() => CaseAsync(FaultKind.DiskFull);

    private async Task CaseAsync(FaultKind fault)
    {
        var seed = FaultSeed.For(output);
        await using var jobs = new Jobs(fixture.Source, fixture.B) { Log = output.WriteLine };
        var restored = fault == FaultKind.StorageFaults
            ? await jobs.RestoreAndVerifyAsync(fixture.Source.GcsBackup, fault, seed, FaultSource.GcsBasePrefix)
            : await jobs.RestoreAndVerifyAsync(fixture.Source.LocalBackup, fault, seed);
        Assert.True(restored);
    }
}
