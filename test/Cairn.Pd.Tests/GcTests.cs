using Cairn.Common;
using Cairn.Rpc;
using Cairn.Rpc.Pdpb;
using Google.Protobuf;

namespace Cairn.Pd.Tests;

public sealed class GcTests
{
    private static Task<UpdateServiceGCSafePointResponse> UpdateServiceAsync(TestPd pd, string id, long ttl, ulong safePoint) =>
        pd.CallAsync(static (c, r, o) => c.UpdateServiceGCSafePointAsync(r, o), new UpdateServiceGCSafePointRequest
        {
            Header = pd.Header,
            ServiceId = ByteString.CopyFromUtf8(id),
            TTL = ttl,
            SafePoint = safePoint,
        });

    private static async Task<ulong> UpdateGcAsync(TestPd pd, ulong safePoint) =>
        (await pd.CallAsync(static (c, r, o) => c.UpdateGCSafePointAsync(r, o), new UpdateGCSafePointRequest { Header = pd.Header, SafePoint = safePoint })).NewSafePoint;

    private static async Task<ulong> GetGcAsync(TestPd pd) =>
        (await pd.CallAsync(static (c, r, o) => c.GetGCSafePointAsync(r, o), new GetGCSafePointRequest { Header = pd.Header })).SafePoint;

    [Fact]
    public async Task Gc_safepoint_never_moves_backwards_and_survives_restart()
    {
        await using var pd = await TestPd.StartAsync(o => o with { GcLifeTime = TimeSpan.FromDays(365 * 100) });
        Assert.Equal(0UL, await UpdateGcAsync(pd, 0));
        Assert.Equal(1000UL, await UpdateGcAsync(pd, 1000));
        Assert.Equal(1000UL, await UpdateGcAsync(pd, 500));
        Assert.Equal(1000UL, await UpdateGcAsync(pd, 0));
        Assert.Equal(2000UL, await UpdateGcAsync(pd, 2000));
        Assert.Equal(2000UL, await GetGcAsync(pd));
        await pd.RestartAsync();
        Assert.Equal(2000UL, await GetGcAsync(pd));
        Assert.Equal(2000UL, await UpdateGcAsync(pd, 1));
    }

    [Fact]
    public async Task Service_safepoints_report_the_minimum_expire_and_can_be_removed()
    {
        await using var pd = await TestPd.StartAsync(o => o with { GcLifeTime = TimeSpan.FromDays(365 * 100) });
        await UpdateGcAsync(pd, 100);

        var first = await UpdateServiceAsync(pd, "br-a", 300, 500);
        Assert.Null(first.Header.Error);
        // gc_worker sits at the GC safepoint, below every service.
        Assert.Equal("gc_worker", first.ServiceId.ToStringUtf8());
        Assert.Equal(100UL, first.MinSafePoint);

        // Below the GC safepoint: not saved, the minimum is unchanged.
        var tooOld = await UpdateServiceAsync(pd, "br-old", 300, 50);
        Assert.Equal(100UL, tooOld.MinSafePoint);

        var expiring = await UpdateServiceAsync(pd, "br-short", 3, 300);
        Assert.Equal(100UL, expiring.MinSafePoint);
        var listed = await HttpApiTests.ServiceIdsAsync(pd);
        Assert.Contains("br-short", listed);
        Assert.Contains("br-a", listed);
        Assert.DoesNotContain("br-old", listed);

        await TestPd.WaitUntilAsync(async () => !(await HttpApiTests.ServiceIdsAsync(pd)).Contains("br-short"), "br-short to expire");

        var removed = await UpdateServiceAsync(pd, "br-a", 0, 0);
        Assert.Null(removed.Header.Error);
        Assert.DoesNotContain("br-a", await HttpApiTests.ServiceIdsAsync(pd));

        var reserved = await UpdateServiceAsync(pd, "gc_worker", 10, 10_000);
        Assert.Equal(ErrorType.InvalidValue, reserved.Header.Error?.Type);
    }

    [Fact]
    public async Task Gc_driver_follows_life_time_but_never_passes_a_live_service_safepoint()
    {
        using var temp = new TempDirectory("pd");
        var dir = temp.Sub("data");
        var protectedTs = Tso.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-30));
        await using (var pd = await TestPd.StartAsync(o => o with { GcLifeTime = TimeSpan.FromDays(365 * 100) }, dir))
        {
            var registered = await UpdateServiceAsync(pd, "br-job", 3600, protectedTs);
            Assert.Null(registered.Header.Error);
        }

        // Life time 1 s: now - 1 s is far past the service's safepoint, which must bound the driver.
        await using (var pd = await TestPd.StartAsync(o => o with { GcLifeTime = TimeSpan.FromSeconds(1), GcRunInterval = TimeSpan.FromMilliseconds(50) }, dir))
        {
            // Stopping exactly at the service safepoint, not at now - 1 s far above it, is the bound at work.
            await TestPd.WaitUntilAsync(async () => await GetGcAsync(pd) == protectedTs, "the GC safepoint to reach the service safepoint");
            Assert.Equal(protectedTs, pd.Server.GcSafePoint);

            // Once the service is gone the driver moves on to now - life time.
            await UpdateServiceAsync(pd, "br-job", -1, 0);
            var before = Tso.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(-1));
            await TestPd.WaitUntilAsync(async () => await GetGcAsync(pd) >= before, "the GC safepoint to follow the life time");
            Assert.True(await GetGcAsync(pd) <= Tso.FromDateTimeOffset(DateTimeOffset.UtcNow));
        }
    }
}
