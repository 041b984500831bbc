using System.Globalization;
using Xunit.Abstractions;

namespace Cairn.Faults.Tests;

/// <summary>
/// The fault matrix: for backup and for restore, each fault of <see cref="FaultKind"/> injected on real processes
/// (<see cref="Jobs"/> says what every case checks). A backup case backs A up under bank transfers and the fault, then
/// restores the backup into B without one; a restore case restores a base backup of A into B under the fault. Each
/// case's random choices come from one seed, printed first (CAIRN_FAULT_SEED replays it).
/// </summary>
public sealed class FaultMatrixTests(FaultClusterFixture fixture, ITestOutputHelper output) : IClassFixture<FaultClusterFixture>
{
    public static TheoryData<FaultKind> Faults => [FaultKind.StoreKill, FaultKind.PdKill, FaultKind.SplitStorm, FaultKind.StorageFaults, FaultKind.BrKill];

    [Theory]
    [MemberData(nameof(Faults))]
    public Task A_backup_under_the_fault_completes_or_fails_clearly_and_completes_again_and_restores_equal_to_the_source(FaultKind fault) =>
        BackupCaseAsync(fault);

    [Theory]
    [MemberData(nameof(Faults))]
    public Task A_restore_under_the_fault_completes_or_fails_clearly_and_completes_again_with_data_equal_to_the_source(FaultKind fault) =>
        RestoreCaseAsync(fault);

    [TmpfsFact]
    public Task A_backup_whose_disk_fills_fails_clearly_and_completes_once_there_is_room() => BackupCaseAsync(FaultKind.DiskFull);

    [TmpfsFact]
    public Task A_restore_onto_a_store_whose_import_disk_is_full_fails_clearly_and_completes_once_there_is_room() => RestoreCaseAsync(FaultKind.DiskFull);

    private async Task BackupCaseAsync(FaultKind fault)
    {
        var seed = Seed();
        await using var jobs = new Jobs(fixture) { Log = output.WriteLine };
        var backup = await jobs.BackUpAsync(fault, seed);
        Assert.NotNull(backup);
        Assert.True(await jobs.RestoreAndVerifyAsync(backup.Value, null, seed));
    }

    private async Task RestoreCaseAsync(FaultKind fault)
    {
        var seed = Seed();
        await using var jobs = new Jobs(fixture) { Log = output.WriteLine };
        var restored = fault == FaultKind.StorageFaults
            ? await jobs.RestoreAndVerifyAsync(fixture.GcsBackup, fault, seed, FaultClusterFixture.GcsBasePrefix)
            : await jobs.RestoreAndVerifyAsync(fixture.LocalBackup, fault, seed);
        Assert.True(restored);
    }

    private int Seed()
    {
        var seed = Environment.GetEnvironmentVariable("CAIRN_FAULT_SEED") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        return seed;
    }
}
