using System.Net;
using System.Text;
using Cairn.Common;

namespace Cairn.EndToEnd.Tests;

/// <summary>pd's admin endpoints probed against a playground of processes, as an operator or br would.</summary>
public sealed class PdAdminTests
{
    [Fact]
    public async Task Reset_ts_refuses_an_overflowing_or_too_far_timestamp_and_the_cluster_keeps_serving()
    {
        await using var playground = await PlaygroundProcess.StartAsync(1);
        using var http = new HttpClient { BaseAddress = new Uri(playground.PdHttp), Timeout = TimeSpan.FromSeconds(30) };

        // The largest uint64 has physical part 2^46 - 1; stepping past it wrapped every later timestamp to 0, 1, 2.
        using (var overflow = await PostResetAsync(http, ulong.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, overflow.StatusCode);
            Assert.Contains("46-bit", await overflow.Content.ReadAsStringAsync());
        }

        var tooFar = Tso.Compose(DateTimeOffset.UtcNow.AddHours(25).ToUnixTimeMilliseconds(), 0);
        using (var far = await PostResetAsync(http, tooFar.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, far.StatusCode);
            Assert.Contains("max-gap-reset-ts", await far.Content.ReadAsStringAsync());
        }

        // Within the gap is accepted, and clients keep working with timestamps above it.
        var near = Tso.Compose(DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds(), 0);
        using (var ok = await PostResetAsync(http, near.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var (exitCode, stdout, stderr) = await CairnProcess.RunAsync(TimeSpan.FromMinutes(2),
            "workload", "bank", "--pd", playground.Pd, "--accounts", "10", "--workers", "2", "--transfers", "5");
        Assert.True(exitCode == 0, $"bank after reset-ts exited with {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("verified", stdout);
    }

    private static Task<HttpResponseMessage> PostResetAsync(HttpClient http, string tso) =>
        http.PostAsync("/pd/api/v1/admin/reset-ts", new StringContent($"{{\"tso\":\"{tso}\"}}", Encoding.UTF8, "application/json"));
}
