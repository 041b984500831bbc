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

        var (exitCode, stdout, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(2),
            "workload", "bank", "--pd", playground.Pd, "--accounts", "10", "--workers", "2", "--transfers", "5");
        Assert.True(exitCode == 0, $"bank after reset-ts exited with {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("verified", stdout);
    }

    [Fact]
    public async Task Http_api_answers_405_for_a_wrong_method_and_400_naming_the_field_for_a_bad_body()
    {
        await using var playground = await PlaygroundProcess.StartAsync(1);
        using var http = new HttpClient { BaseAddress = new Uri(playground.PdHttp), Timeout = TimeSpan.FromSeconds(30) };

        using (var wrongMethod = await http.PutAsync("/pd/api/v1/stores", Json("{}")))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        }

        using (var missing = await http.GetAsync("/pd/api/v1/no-such-thing"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        await AssertBadRequestAsync(http, "/pd/api/v1/schedulers/balance-region-scheduler", "[1,2]", "delay");
        await AssertBadRequestAsync(http, "/pd/api/v1/schedulers/balance-region-scheduler", "{\"delay\":\"soon\"}", "delay");
        await AssertBadRequestAsync(http, "/pd/api/v1/schedulers/balance-region-scheduler", "not json", "delay");
        await AssertBadRequestAsync(http, "/pd/api/v1/schedulers", "{\"name\":7}", "name");
        await AssertBadRequestAsync(http, "/pd/api/v1/config/schedule", "{\"region-schedule-limit\":\"many\"}", "region-schedule-limit");
        await AssertBadRequestAsync(http, "/pd/api/v1/config/schedule", "{\"leader-schedule-limit\":-100}", "leader-schedule-limit");
        await AssertBadRequestAsync(http, "/pd/api/v1/config/schedule", "{\"split-merge-interval\":\"later\"}", "split-merge-interval");
        await AssertBadRequestAsync(http, "/pd/api/v1/admin/reset-ts", "{\"tso\":true}", "tso");

        // A refused update changes nothing, and the API keeps serving after all of the above.
        var schedule = await http.GetStringAsync("/pd/api/v1/config/schedule");
        Assert.Contains("\"region-schedule-limit\": 2048", schedule);
        using (var ok = await http.PostAsync("/pd/api/v1/config/schedule", Json("{\"region-schedule-limit\":16,\"enable-cross-table-merge\":false}")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Contains("\"enable-cross-table-merge\": \"false\"", await http.GetStringAsync("/pd/api/v1/config/schedule"));

        // start_key after end_key is a malformed range, not an empty one.
        using (var backwards = await http.GetAsync("/pd/api/v1/stats/region?start_key=z&end_key=a"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        }

        using var stats = await http.GetAsync("/pd/api/v1/stats/region?start_key=&end_key=");
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
    }

    private static async Task AssertBadRequestAsync(HttpClient http, string path, string body, string field)
    {
        using var response = await http.PostAsync(path, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"POST {path} {body}: {(int)response.StatusCode} {text}");
        Assert.Contains(field, text);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static Task<HttpResponseMessage> PostResetAsync(HttpClient http, string tso) =>
        http.PostAsync("/pd/api/v1/admin/reset-ts", new StringContent($"{{\"tso\":\"{tso}\"}}", Encoding.UTF8, "application/json"));
}
