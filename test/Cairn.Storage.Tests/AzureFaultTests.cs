using System.Security.Cryptography;
using Cairn.Storage.Azure;
using Cairn.Storage.Tests.Infrastructure;
using static Cairn.Storage.Tests.AzureGcsTestHelpers;

namespace Cairn.Storage.Tests;

/// <summary>The Azure Blob backend behind the fault-injecting proxy: resumed downloads, bounded attempts, retried writes.</summary>
public sealed class AzureFaultTests : IClassFixture<AzuriteFixture>
{
    private readonly AzuriteFixture _azurite;

    public AzureFaultTests(AzuriteFixture azurite) => _azurite = azurite;

    [Fact]
    public async Task Download_resumes_after_every_response_is_cut()
    {
        var data = RandomBytes(2 * 1024 * 1024 + 333);
        await using (var direct = await AzureBlobStorage.OpenAsync(_azurite.Options("resume")))
        {
            await direct.WriteAllAsync("big.sst", data);
        }

        // Every response of 64 KiB or more is cut half-way: the reader keeps reconnecting at its current offset
        // until what is left is too small to be cut.
        await using var proxy = FaultProxy.Start(new Uri(_azurite.Endpoint), new FaultProxyOptions { DropResponseEvery = 1 });
        await using var storage = await AzureBlobStorage.OpenAsync(_azurite.Options("resume", ProxyEndpoint(proxy)));
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
        await using (var direct = await AzureBlobStorage.OpenAsync(_azurite.Options("giveup")))
        {
            await direct.WriteAllAsync("big.sst", RandomBytes(1024 * 1024));
        }
        await using var proxy = FaultProxy.Start(new Uri(_azurite.Endpoint), new FaultProxyOptions { DropResponseEvery = 1 });
        await using var storage = await AzureBlobStorage.OpenAsync(_azurite.Options("giveup", ProxyEndpoint(proxy)) with { ReadAttempts = 0 });
        await using var stream = await storage.OpenReadAsync("big.sst");
        var e = await Assert.ThrowsAsync<StorageException>(async () => await SHA256.HashDataAsync(stream));
        Assert.True(e.IsTransient);
        Assert.Equal(StorageErrorKind.Network, e.Kind);
        Assert.Contains("big.sst", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Factory_opened_storage_survives_injected_503s_on_every_operation()
    {
        await using var proxy = FaultProxy.Start(new Uri(_azurite.Endpoint), new FaultProxyOptions { ServiceUnavailableEvery = 3 });
        var options = new StorageOpenOptions { Retry = AzureFaultProxyContractTests.FastRetry }
            .With("azblob.endpoint", ProxyEndpoint(proxy))
            .With("azblob.account-name", AzuriteFixture.AccountName)
            .With("azblob.account-key", AzuriteFixture.AccountKey);
        await using var storage = await ExternalStorage.OpenAsync($"azure://{_azurite.Container}/factory", options);
        Assert.Equal($"azure://{_azurite.Container}/factory", storage.Uri);
        Assert.IsType<AzureBlobStorage>(Assert.IsType<RetryingStorage>(storage).Inner);

        var data = RandomBytes(20 * 1024 * 1024 + 5); // three 8 MiB blocks with the default block size
        await using (var writer = await storage.CreateAsync("big"))
        {
            await writer.WriteAsync(data);
            await writer.CompleteAsync();
        }
        for (var i = 0; i < 6; i++)
        {
            await storage.WriteAllAsync($"small/{i}", RandomBytes(i));
        }
        Assert.True(await storage.ExistsAsync("big"));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await storage.ReadAllAsync("big")));
        Assert.Equal(7, (await ListAsync(storage)).Count);
        await storage.DeleteAsync("small/0");
        Assert.False(await storage.ExistsAsync("small/0"));
        Assert.True(proxy.InjectedErrors >= 5, $"only {proxy.InjectedErrors} errors were injected");
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_as_a_transient_error()
    {
        // Accepts connections and reads nothing: the request can only end by its timeout.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var e = await Assert.ThrowsAsync<StorageException>(() => AzureBlobStorage.OpenAsync(
            _azurite.Options(endpoint: $"http://127.0.0.1:{port}/{AzuriteFixture.AccountName}") with { RequestTimeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Equal(StorageErrorKind.Network, e.Kind);
        Assert.True(e.IsTransient);
        Assert.Contains("timed out", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sdk_makes_no_retries_of_its_own()
    {
        await using var proxy = FaultProxy.Start(new Uri(_azurite.Endpoint), new FaultProxyOptions { ServiceUnavailableEvery = 1 });
        await using var storage = await AzureBlobStorage.OpenAsync(_azurite.Options("noretry", ProxyEndpoint(proxy)) with { CheckContainerOnOpen = false });
        await SdkRetryAssertions.FailsAfterOneRequestAsync(proxy, storage);
    }

    [Fact]
    public async Task A_broken_download_is_not_reconnected_by_the_sdk()
    {
        await using (var direct = await AzureBlobStorage.OpenAsync(_azurite.Options("noreconnect")))
        {
            await direct.WriteAllAsync("big.sst", RandomBytes(1024 * 1024));
        }
        // The SDK's download stream would reconnect up to five times on its own; with no read attempts of ours
        // the cut response must end the read after the one GET.
        await using var proxy = FaultProxy.Start(new Uri(_azurite.Endpoint), new FaultProxyOptions { DropResponseEvery = 1 });
        await using var storage = await AzureBlobStorage.OpenAsync(_azurite.Options("noreconnect", ProxyEndpoint(proxy)) with { ReadAttempts = 0, CheckContainerOnOpen = false });
        await using var stream = await storage.OpenReadAsync("big.sst");
        var e = await Assert.ThrowsAsync<StorageException>(async () => await SHA256.HashDataAsync(stream));
        Assert.True(e.IsTransient);
        Assert.Equal(1, proxy.Requests);
    }

    private static string ProxyEndpoint(FaultProxy proxy) => $"{proxy.Endpoint.ToString().TrimEnd('/')}/{AzuriteFixture.AccountName}";
}
