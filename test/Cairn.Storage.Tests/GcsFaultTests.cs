using System.Security.Cryptography;
using Cairn.Storage.Gcs;
using Cairn.Storage.Tests.Infrastructure;
using static Cairn.Storage.Tests.AzureGcsTestHelpers;

namespace Cairn.Storage.Tests;

/// <summary>The GCS backend behind the fault-injecting proxy: resumed downloads, bounded attempts, retried requests.</summary>
public sealed class GcsFaultTests : IClassFixture<GcsEmulatorFixture>
{
    private readonly GcsEmulatorFixture _gcs;

    public GcsFaultTests(GcsEmulatorFixture gcs) => _gcs = gcs;

    [Fact]
    public async Task Download_resumes_after_every_response_is_cut()
    {
        var data = RandomBytes(2 * 1024 * 1024 + 333);
        await using (var direct = await GcsStorage.OpenAsync(_gcs.Options("resume")))
        {
            await direct.WriteAllAsync("big.sst", data);
        }
        await using var proxy = FaultProxy.Start(new Uri(_gcs.Endpoint), new FaultProxyOptions { DropResponseEvery = 1 });
        await using var storage = await GcsStorage.OpenAsync(_gcs.Options("resume", proxy.Endpoint.ToString().TrimEnd('/')));
        await using (var stream = await storage.OpenReadAsync("big.sst"))
        {
            Assert.Equal(SHA256.HashData(data), await SHA256.HashDataAsync(stream));
        }
        Assert.True(proxy.DroppedResponses >= 5, $"only {proxy.DroppedResponses} responses were cut");

        var dropsBefore = proxy.DroppedResponses;
        Assert.Equal(data.AsSpan(100_000, 1_500_000).ToArray(), await ReadRangeAsync(storage, "big.sst", 100_000, 1_500_000));
        Assert.True(proxy.DroppedResponses > dropsBefore);
    }

    [Fact]
    public async Task Download_gives_up_after_its_attempts_with_a_transient_error()
    {
        await using (var direct = await GcsStorage.OpenAsync(_gcs.Options("giveup")))
        {
            await direct.WriteAllAsync("big.sst", RandomBytes(1024 * 1024));
        }
        await using var proxy = FaultProxy.Start(new Uri(_gcs.Endpoint), new FaultProxyOptions { DropResponseEvery = 1 });
        await using var storage = await GcsStorage.OpenAsync(_gcs.Options("giveup", proxy.Endpoint.ToString().TrimEnd('/')) with { ReadAttempts = 0 });
        await using var stream = await storage.OpenReadAsync("big.sst");
        var e = await Assert.ThrowsAsync<StorageException>(async () => await SHA256.HashDataAsync(stream));
        Assert.True(e.IsTransient);
        Assert.Equal(StorageErrorKind.Network, e.Kind);
        Assert.Contains("big.sst", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Factory_opened_storage_survives_injected_503s_on_retryable_requests()
    {
        // Small writes (one multipart request), reads, listings, exists and delete are all retried. A large
        // single-request streaming upload is not replayable and is therefore written before the faults start.
        await using var proxy = FaultProxy.Start(new Uri(_gcs.Endpoint), new FaultProxyOptions { ServiceUnavailableEvery = 3 });
        var options = new StorageOpenOptions { Retry = AzureFaultProxyContractTests.FastRetry }
            .With("gcs.endpoint", proxy.Endpoint.ToString().TrimEnd('/'));
        await using var storage = await ExternalStorage.OpenAsync($"gcs://{_gcs.Bucket}/factory", options);
        Assert.Equal($"gcs://{_gcs.Bucket}/factory", storage.Uri);
        Assert.IsType<GcsStorage>(Assert.IsType<RetryingStorage>(storage).Inner);

        var data = RandomBytes(3 * 1024 * 1024 + 5);
        for (var i = 0; i < 6; i++)
        {
            await storage.WriteAllAsync($"small/{i}", RandomBytes(i));
        }
        await storage.WriteAllAsync("big", data);
        Assert.True(await storage.ExistsAsync("big"));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await storage.ReadAllAsync("big")));
        Assert.Equal(7, (await ListAsync(storage)).Count);
        await storage.DeleteAsync("small/0");
        Assert.False(await storage.ExistsAsync("small/0"));
        Assert.True(proxy.InjectedErrors >= 5, $"only {proxy.InjectedErrors} errors were injected");
    }

    [Fact]
    public async Task The_sdk_makes_no_retries_of_its_own()
    {
        await using var proxy = FaultProxy.Start(new Uri(_gcs.Endpoint), new FaultProxyOptions { ServiceUnavailableEvery = 1 });
        await using var storage = await GcsStorage.OpenAsync(_gcs.Options("noretry", proxy.Endpoint.ToString().TrimEnd('/')) with { CheckBucketOnOpen = false });
        await SdkRetryAssertions.FailsAfterOneRequestAsync(proxy, storage);
    }

    [Fact]
    public async Task A_broken_download_is_not_resumed_by_the_sdk()
    {
        await using (var direct = await GcsStorage.OpenAsync(_gcs.Options("noresume")))
        {
            await direct.WriteAllAsync("big.sst", RandomBytes(1024 * 1024));
        }
        // With no read attempts of ours, the cut response ends the read: one metadata GET, one media GET.
        await using var proxy = FaultProxy.Start(new Uri(_gcs.Endpoint), new FaultProxyOptions { DropResponseEvery = 1 });
        await using var storage = await GcsStorage.OpenAsync(_gcs.Options("noresume", proxy.Endpoint.ToString().TrimEnd('/')) with { ReadAttempts = 0, CheckBucketOnOpen = false });
        await using var stream = await storage.OpenReadAsync("big.sst");
        var e = await Assert.ThrowsAsync<StorageException>(async () => await SHA256.HashDataAsync(stream));
        Assert.True(e.IsTransient);
        Assert.Equal(2, proxy.Requests);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_as_a_transient_error()
    {
        // Accepts connections and reads nothing: the request can only end by its timeout.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var e = await Assert.ThrowsAsync<StorageException>(() => GcsStorage.OpenAsync(
            _gcs.Options(endpoint: $"http://127.0.0.1:{port}") with { RequestTimeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Equal(StorageErrorKind.Network, e.Kind);
        Assert.True(e.IsTransient);
        Assert.Contains("timed out", e.Message, StringComparison.Ordinal);
    }
}
