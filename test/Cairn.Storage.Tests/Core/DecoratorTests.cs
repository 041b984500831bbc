using Cairn.Storage.Local;
using Cairn.Storage.Tests.Contract;
using Cairn.Storage.Tests.Infrastructure;

namespace Cairn.Storage.Tests.Core;

/// <summary>The retry and rate-limit decorators over a real local storage, and how the factory stacks them.</summary>
public sealed class DecoratorTests : IDisposable
{
    private readonly TempDirectory _root = new("decorators");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Factory_stacks_retry_outside_rate_limit_outside_the_backend()
    {
        await using var storage = await ExternalStorage.OpenAsync(_root.Path, new StorageOpenOptions { RateLimitBytesPerSecond = 1 << 30 });
        var retrying = Assert.IsType<RetryingStorage>(storage);
        var limited = Assert.IsType<RateLimitedStorage>(retrying.Inner);
        Assert.Equal(1 << 30, limited.BytesPerSecond);
        var local = Assert.IsType<LocalStorage>(limited.Inner);
        Assert.Equal(_root.Path, local.BasePath);
        Assert.Equal("file://" + _root.Path, storage.Uri);

        await using var plain = await ExternalStorage.OpenAsync("local://" + _root.Path, new StorageOpenOptions { Retry = RetryPolicy.None });
        Assert.IsType<LocalStorage>(plain);
    }

    [Fact]
    public async Task Retrying_storage_fails_permanent_errors_at_once()
    {
        var events = new List<StorageRetryEvent>();
        await using var storage = new RetryingStorage(new LocalStorage(_root.Path), new RetryPolicy { OnRetry = events.Add });
        var error = await Assert.ThrowsAsync<StorageException>(async () => await storage.ReadAllAsync("nope"));
        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
        Assert.Empty(events);
        Assert.Contains("nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rate_limited_storage_passes_every_byte_through_readers_and_writers()
    {
        await using var storage = new RateLimitedStorage(new LocalStorage(_root.Path), 64 << 20);
        var data = TestData.Bytes(3 << 20, seed: 9);
        await TestData.WriteInChunksAsync(storage, "limited.bin", data, chunk: 100_000);
        await using (var reader = await storage.OpenReadAsync("limited.bin", 1000, 2_000_000))
        {
            var (sha, length) = await TestData.HashStreamAsync(reader);
            Assert.Equal(2_000_000, length);
            Assert.Equal(TestData.Sha256(data.AsSpan(1000, 2_000_000)), sha);
        }
        await storage.WriteAllAsync("small", data.AsMemory(0, 10));
        Assert.Equal(data.AsSpan(0, 10).ToArray(), await storage.ReadAllAsync("small"));
        Assert.Equal(2, (await ListAll(storage)).Count);
    }

    [Fact]
    public async Task Token_bucket_lets_a_burst_of_one_second_through_then_charges_the_debt()
    {
        var bucket = new TokenBucket(1000);
        // Within the initial second's worth: completes synchronously, no waiting involved.
        Assert.True(bucket.TakeAsync(1000, CancellationToken.None).IsCompleted);
        // Beyond it the caller must wait; cancellation proves the wait is real without measuring time.
        using var cts = new CancellationTokenSource();
        var pending = bucket.TakeAsync(5000, cts.Token);
        Assert.False(pending.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
    }

    private static async Task<List<StorageObject>> ListAll(IExternalStorage storage)
    {
        var result = new List<StorageObject>();
        await foreach (var item in storage.ListAsync())
        {
            result.Add(item);
        }

        return result;
    }
}
