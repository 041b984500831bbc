using System.Net;
using System.Text.RegularExpressions;

namespace Cairn.EndToEnd.Tests;

/// <summary>pd and stores started one by one as processes, as an operator would, to see how a store ends.</summary>
public sealed partial class StoreLifecycleTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cairn-e2e-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_store_pd_made_tombstone_exits_with_a_clear_message()
    {
        await using var pd = ServerProcess.Start("pd", "--addr", "127.0.0.1:0", "--data-dir", Path.Combine(_dir, "pd"));
        var ready = await pd.WaitForLineAsync(PdReady(), TimeSpan.FromMinutes(1));
        var grpc = ready.Groups["grpc"].Value;
        using var http = new HttpClient { BaseAddress = new Uri(ready.Groups["http"].Value), Timeout = TimeSpan.FromSeconds(30) };

        await using var first = ServerProcess.Start("store", "--addr", "127.0.0.1:0", "--pd", grpc, "--data-dir", Path.Combine(_dir, "s1"));
        await first.WaitForLineAsync(StoreReady(), TimeSpan.FromMinutes(1));
        await using var second = ServerProcess.Start("store", "--addr", "127.0.0.1:0", "--pd", grpc, "--data-dir", Path.Combine(_dir, "s2"));
        var id = (await second.WaitForLineAsync(StoreReady(), TimeSpan.FromMinutes(1))).Groups["id"].Value;

        using var delete = await http.DeleteAsync($"/pd/api/v1/store/{id}");
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);

        // pd moves the store's regions away, makes it Tombstone, and the next store heartbeat (10 s) learns it.
        Assert.True(await second.WaitForExitAsync(TimeSpan.FromSeconds(90)), $"the tombstoned store kept running:\n{second.Stderr}");
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("Tombstone", second.Stderr.Split('\n').Last(l => l.Length > 0));
        Assert.False(first.Exited.IsCompleted);
    }

    [GeneratedRegex(@"^pd ready: grpc (?<grpc>\S+) http (?<http>\S+)")]
    private static partial Regex PdReady();

    [GeneratedRegex(@"^store (?<id>\d+) listening on (?<addr>\S+)")]
    private static partial Regex StoreReady();
}
