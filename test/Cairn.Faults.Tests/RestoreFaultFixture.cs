namespace Cairn.Faults.Tests;

/// <summary>
/// The shared source (<see cref="FaultSource"/>) and cluster B (3 stores), the target of the restore cases, whose
/// faults hit B only; so the restore cases run beside the backup cases, which fault A.
/// </summary>
public sealed class RestoreFaultFixture : IAsyncLifetime
{
    public FaultSource Source { get; private set; } = null!;

    public FaultCluster B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var source = FaultSource.AcquireAsync();
        var b = FaultCluster.StartAsync(Path.Combine(Path.GetTempPath(), $"cairn-faults-b-{Guid.NewGuid():N}"), 3);
        try
        {
            await Task.WhenAll(source, b);
        }
        catch
        {
            // WhenAll has waited for both: stop whichever did start.
            Source = source.IsCompletedSuccessfully ? source.Result : null!;
            B = b.IsCompletedSuccessfully ? b.Result : null!;
            await DisposeAsync();
            throw;
        }

        Source = source.Result;
        B = b.Result;
    }

    public async Task DisposeAsync()
    {
        if (B is not null)
        {
            await B.DisposeAsync();
            TempDirectory.Delete(B.Dir);
        }

        if (Source is not null)
        {
            await FaultSource.ReleaseAsync();
        }
    }
}
