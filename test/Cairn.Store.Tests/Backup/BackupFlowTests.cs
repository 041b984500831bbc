using System.Diagnostics;
using static Cairn.Store.Tests.Backup.BackupFixture;

namespace Cairn.Store.Tests.Backup;

/// <summary>How backup requests share a store: cancellation, the store-wide rate limit.</summary>
public sealed class BackupFlowTests : IDisposable
{
    private readonly TempDirectory _target = new("backup-flow");

    public void Dispose() => _target.Dispose();

    [Fact]
    public async Task A_cancelled_call_leaves_no_object_in_the_storage_and_no_temp_file()
    {
        await using var store = await TestStore.StartAsync();
        await PutRandomAsync(store, "c/", 4, 32, 16 * 1024);
        var request = Request(_target.Path, store.Ts.Next(), "c/", "c0");
        request.RateLimit = 64 * 1024;
        var tempDir = Path.Combine(store.Node.Options.DataDir, "backup-tmp");

        using var cancel = new CancellationTokenSource();
        var call = BackupAsync(store.Channel, request, cancel.Token);
        await Eventually.UntilAsync(() => Task.FromResult(Directory.EnumerateFileSystemEntries(_target.Path, "*", SearchOption.AllDirectories).Any()),
            TimeSpan.FromSeconds(30), "the upload to begin");
        await cancel.CancelAsync();
        // The caller's own cancellation surfaces as a cancellation, not as a failure of the store.
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(cancel.Token, error.CancellationToken);

        await Eventually.UntilAsync(() => Task.FromResult(
                !Directory.EnumerateFileSystemEntries(_target.Path, "*", SearchOption.AllDirectories).Any() && !Directory.EnumerateFileSystemEntries(tempDir).Any()),
            TimeSpan.FromSeconds(30), "the partial upload and the temp files to be removed");
    }

    [Fact]
    public async Task The_rate_limit_holds_for_the_store_across_two_concurrent_requests()
    {
        const ulong Limit = 256 * 1024;
        await using var store = await TestStore.StartAsync(configure: o => o with { BackupThreads = 4 });
        await PutRandomAsync(store, "p/", 2, 24, 16 * 1024);
        await PutRandomAsync(store, "q/", 2, 24, 16 * 1024);
        var ts = store.Ts.Next();
        var first = Request(Path.Combine(_target.Path, "one"), ts, "p/", "p0");
        var second = Request(Path.Combine(_target.Path, "two"), ts, "q/", "q0");
        first.RateLimit = Limit;
        second.RateLimit = Limit;

        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(BackupAsync(store.Channel, first), BackupAsync(store.Channel, second));
        var elapsed = clock.Elapsed;

        var stored = results.SelectMany(r => r).SelectMany(r => r.Files).Sum(f => (double)f.Size);
        Assert.True(stored > 1.5 * Limit, $"the data ({stored} bytes) must be well above one second's allowance");
        // The shared bucket starts with one second's allowance; everything after it comes at the limit.
        var lowerBound = TimeSpan.FromSeconds((stored - Limit) / Limit * 0.9);
        Assert.True(elapsed >= lowerBound, $"{stored} bytes went up in {elapsed.TotalSeconds:F2} s, faster than {Limit} B/s allows ({lowerBound.TotalSeconds:F2} s)");
    }

    private static async Task PutRandomAsync(TestStore store, string prefix, int transactions, int keysPerTransaction, int valueSize)
    {
        var random = new Random(prefix.GetHashCode(StringComparison.Ordinal));
        for (var t = 0; t < transactions; t++)
        {
            var pairs = new (string, string)[keysPerTransaction];
            for (var k = 0; k < keysPerTransaction; k++)
            {
                var bytes = new byte[valueSize * 3 / 4];
                random.NextBytes(bytes);
                pairs[k] = ($"{prefix}{t:D2}/{k:D4}", Convert.ToBase64String(bytes));
            }

            await store.PutAsync(pairs);
        }
    }
}
