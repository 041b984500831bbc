using System.Net;
using System.Text.RegularExpressions;

namespace Cairn.EndToEnd.Tests;

/// <summary>pd and stores started one by one as processes, as an operator would, to see how a store ends.</summary>
public sealed partial class StoreLifecycleTests : IDisposable
{
    private readonly TempDirectory _dir = new("e2e");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_store_pd_made_tombstone_exits_with_a_clear_message()
    {
        await using var pd = ProcessRunner.StartCairn("pd", "--addr", "127.0.0.1:0", "--data-dir", _dir.Sub("pd"));
        var ready = await pd.WaitForLineAsync(PdReady(), TimeSpan.FromMinutes(1));
        var grpc = ready.Groups["grpc"].Value;
        using var http = new HttpClient { BaseAddress = new Uri(ready.Groups["http"].Value), Timeout = TimeSpan.FromSeconds(30) };

        await using var first = ProcessRunner.StartCairn("store", "--addr", "127.0.0.1:0", "--pd", grpc, "--data-dir", _dir.Sub("s1"));
        await first.WaitForLineAsync(StoreReady(), TimeSpan.FromMinutes(1));
        await using var second = ProcessRunner.StartCairn("store", "--addr", "127.0.0.1:0", "--pd", grpc, "--data-dir", _dir.Sub("s2"));
        var id = (await second.WaitForLineAsync(StoreReady(), TimeSpan.FromMinutes(1))).Groups["id"].Value;

        using var delete = await http.DeleteAsync($"/pd/api/v1/store/{id}");
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);

        // pd moves the store's regions away, makes it Tombstone, and the next store heartbeat (10 s) learns it.
        Assert.True(await second.WaitForExitAsync(TimeSpan.FromSeconds(90)), $"the tombstoned store kept running:\n{second.Stderr}");
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("Tombstone", second.Stderr.Split('\n').Last(l => l.Length > 0));
        Assert.False(first.Exited.IsCompleted);
    }

    [Fact]
    public async Task A_start_that_cannot_listen_leaves_nothing_behind_and_data_dirs_refuse_the_other_server()
    {
        var pdDir = _dir.Sub("pd");
        await using var pd = ProcessRunner.StartCairn("pd", "--addr", "127.0.0.1:0", "--data-dir", pdDir);
        var ready = await pd.WaitForLineAsync(PdReady(), TimeSpan.FromMinutes(1));
        var grpc = ready.Groups["grpc"].Value;
        var taken = new Uri(grpc).Authority;
        using var http = new HttpClient { BaseAddress = new Uri(ready.Groups["http"].Value), Timeout = TimeSpan.FromSeconds(30) };

        // A port in use fails the start before any folder is made or any id is taken from pd.
        var secondPdDir = _dir.Sub("pd2");
        var (pdExit, _, pdErr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), "pd", "--addr", taken, "--data-dir", secondPdDir);
        Assert.Equal(1, pdExit);
        Assert.Contains("cannot listen", pdErr);
        Assert.False(Directory.Exists(secondPdDir));

        var storeDir = _dir.Sub("s-busy");
        var (storeExit, _, storeErr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), "store", "--addr", taken, "--pd", grpc, "--data-dir", storeDir);
        Assert.Equal(1, storeExit);
        Assert.Contains("cannot listen", storeErr);
        Assert.False(Directory.Exists(storeDir));
        Assert.Contains("\"count\": 0", await http.GetStringAsync("/pd/api/v1/stores"));

        // Each server's data dir says whose it is, and the other kind refuses it.
        var realStoreDir = _dir.Sub("s1");
        await using (var store = ProcessRunner.StartCairn("store", "--addr", "127.0.0.1:0", "--pd", grpc, "--data-dir", realStoreDir))
        {
            await store.WaitForLineAsync(StoreReady(), TimeSpan.FromMinutes(1));
        }

        var (onStoreDir, _, onStoreErr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), "pd", "--addr", "127.0.0.1:0", "--data-dir", realStoreDir);
        Assert.Equal(1, onStoreDir);
        Assert.Contains("store's data directory", onStoreErr);
        var (onPdDir, _, onPdErr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), "store", "--addr", "127.0.0.1:0", "--pd", grpc, "--data-dir", pdDir);
        Assert.Equal(1, onPdDir);
        Assert.Contains("pd's data directory", onPdErr);
    }

    [GeneratedRegex(@"^pd ready: grpc (?<grpc>\S+) http (?<http>\S+)")]
    private static partial Regex PdReady();

    [GeneratedRegex(@"^store (?<id>\d+) listening on (?<addr>\S+)")]
    private static partial Regex StoreReady();
}
