using Cairn.Storage.Backends;
using Cairn.Storage.Tests.Infrastructure;

namespace Cairn.Storage.Tests.S3;

/// <summary>A StorageBackend built from an S3 URL opens the same bucket and prefix on a real radosgw.</summary>
[Collection(RadosGatewayCollection.Name)]
public sealed class S3BackendMappingTests(RadosGatewayFixture rgw) : IAsyncLifetime
{
    private const string Bucket = "mapping";

    public Task InitializeAsync() => rgw.EnsureBucketAsync(Bucket);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_s3_backend_with_credentials_opens_the_place_the_url_names()
    {
        var options = new StorageOpenOptions { EnvironmentVariables = _ => null };
        var url = StorageUrl.Parse($"s3://{Bucket}/t-{Guid.NewGuid():N}?endpoint={rgw.Endpoint}&access-key={rgw.AccessKey}&secret-access-key={Uri.EscapeDataString(rgw.SecretKey)}", options);
        var backend = StorageBackends.ToBackend(url, includeCredentials: true);

        await using (var fromBackend = await StorageBackends.OpenAsync(backend, options, CancellationToken.None))
        {
            await fromBackend.WriteAllAsync("1_2_3_default.sst", "bytes"u8.ToArray());
        }

        await using var fromUrl = await ExternalStorage.OpenAsync(url, options);
        Assert.Equal("bytes"u8.ToArray(), await fromUrl.ReadAllAsync("1_2_3_default.sst"));
    }

    [Fact]
    public async Task An_s3_backend_without_credentials_uses_the_store_environment()
    {
        var callerOptions = new StorageOpenOptions { EnvironmentVariables = _ => null };
        var url = StorageUrl.Parse($"s3://{Bucket}/t-{Guid.NewGuid():N}?endpoint={rgw.Endpoint}&access-key={rgw.AccessKey}&secret-access-key={Uri.EscapeDataString(rgw.SecretKey)}", callerOptions);
        var backend = StorageBackends.ToBackend(url, includeCredentials: false);

        var storeEnvironment = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = rgw.AccessKey, ["AWS_SECRET_ACCESS_KEY"] = rgw.SecretKey };
        await using var storage = await StorageBackends.OpenAsync(backend, new StorageOpenOptions { EnvironmentVariables = storeEnvironment.GetValueOrDefault }, CancellationToken.None);
        await storage.WriteAllAsync("x", "1"u8.ToArray());
        Assert.True(await storage.ExistsAsync("x"));
    }
}
