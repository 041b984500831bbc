using Cairn.Common;
using Cairn.Pd.Timestamps;

namespace Cairn.Pd.Tests;

/// <summary>The allocator's bounds: reset-ts never moves it past the gap or the end of the 46-bit physical field.</summary>
public sealed class TsoAllocatorTests : IDisposable
{
    private readonly TempDirectory _dir = new("tso");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Reset_refuses_overflow_and_too_far_and_timestamps_keep_fitting_the_field()
    {
        using var storage = new PdStorage(_dir.Path);
        var tso = new TsoAllocator(storage, TimeProvider.System, TimeSpan.FromSeconds(3));
        var huge = TimeSpan.MaxValue;

        Assert.Equal(TsoResetResult.Overflow, tso.ResetAbove(ulong.MaxValue, huge));
        Assert.Equal(TsoResetResult.Overflow, tso.ResetAbove(Tso.Compose(Tso.MaxPhysical - 1, 0), huge));
        var tomorrow = Tso.Compose(DateTimeOffset.UtcNow.AddHours(25).ToUnixTimeMilliseconds(), 0);
        Assert.Equal(TsoResetResult.TooFarAhead, tso.ResetAbove(tomorrow, TimeSpan.FromHours(24)));
        Assert.Equal(TsoResetResult.NotAbove, tso.ResetAbove(1, TimeSpan.FromHours(24)));

        var (physical, _) = await tso.AllocateAsync(1, CancellationToken.None);
        Assert.InRange(physical, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());

        // The last physical value with room for the save window is accepted, and what follows still fits 46 bits.
        var edge = Tso.MaxPhysical - 10_000;
        Assert.Equal(TsoResetResult.Reset, tso.ResetAbove(Tso.Compose(edge, Tso.MaxLogical), huge));
        var (next, _) = await tso.AllocateAsync(1, CancellationToken.None);
        Assert.True(next > edge && next <= Tso.MaxPhysical, next.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
