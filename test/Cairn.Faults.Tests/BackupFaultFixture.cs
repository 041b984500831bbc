namespace Cairn.Faults.Tests;

/// <summary>The shared source (<see cref="FaultSource"/>) for the backup cases: their faults hit A, and each backup is restored into A itself under other names.</summary>
public sealed class BackupFaultFixture : IAsyncLifetime
{
    public FaultSource Source { get; private set; } = null!;

    public async Task InitializeAsync() => Source = await FaultSource.AcquireAsync();

    public Task DisposeAsync() => FaultSource.ReleaseAsync();
}
