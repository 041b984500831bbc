using Amazon.S3.Model;
using Cairn.Storage.S3;
using Cairn.Storage.Tests.Contract;
using Cairn.Storage.Tests.Infrastructure;

namespace Cairn.Storage.Tests.S3;

/// <summary>S3 behaviour beyond the shared contract: opening checks, multipart, aborts, object options, SDK retries off, resumption.</summary>
[Collection(RadosGatewayCollection.Name)]
public sealed class S3BackendTests(RadosGatewayFixture rgw) : IAsyncLifetime
{
    private const string Bucket = "backend";

    public Task InitializeAsync() => rgw.EnsureBucketAsync(Bucket);

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Prefix() => $"t-{Guid.NewGuid():N}";

    [Fact]
    public async Task Factory_opens_an_s3_url_with_query_credentials_and_prints_it_without_them()
    {
        var url = $"s3://{Bucket}/{Prefix()}?endpoint={rgw.Endpoint}&access_key={rgw.AccessKey}&Secret-Access-Key={Uri.EscapeDataString(rgw.SecretKey)}&region=us-east-1";
        await using var storage = await ExternalStorage.OpenAsync(url, new StorageOpenOptions { EnvironmentVariables = _ => null });
        Assert.IsType<RetryingStorage>(storage);
        await storage.WriteAllAsync("a/b.txt", "hello"u8.ToArray());
        Assert.Equal("hello"u8.ToArray(), await storage.ReadAllAsync("a/b.txt"));
        Assert.DoesNotContain(rgw.SecretKey, storage.Uri + storage, StringComparison.Ordinal);
        Assert.DoesNotContain("?", storage.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Factory_takes_keys_from_flags_and_endpoint_from_the_environment_variables_of_aws()
    {
        var env = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = rgw.AccessKey, ["AWS_SECRET_ACCESS_KEY"] = rgw.SecretKey };
        var options = new StorageOpenOptions { EnvironmentVariables = env.GetValueOrDefault }.With("s3.endpoint", rgw.Endpoint.ToString());
        await using var storage = await ExternalStorage.OpenAsync($"s3://{Bucket}/{Prefix()}", options);
        await storage.WriteAllAsync("x", "1"u8.ToArray());
        Assert.True(await storage.ExistsAsync("x"));
    }

    [Fact]
    public async Task Opening_a_missing_bucket_names_it_and_says_why()
    {
        var error = await Assert.ThrowsAsync<StorageException>(async () => await S3Storage.OpenAsync(rgw.Options("no-such-bucket-here", "p")));
        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
        Assert.False(error.IsTransient);
        Assert.Contains("\"no-such-bucket-here\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("no such bucket", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(rgw.SecretKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_with_an_unknown_access_key_is_access_denied_for_wrong_credentials()
    {
        var error = await Assert.ThrowsAsync<StorageException>(async () => await S3Storage.OpenAsync(rgw.Options(Bucket, "p") with { AccessKey = "NOSUCHKEY" }));
        Assert.Equal(StorageErrorKind.AccessDenied, error.Kind);
        Assert.Contains("wrong credentials", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(rgw.SecretKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_an_unreachable_endpoint_is_a_transient_network_error()
    {
        var closedPort = FreePorts.One();
        var options = rgw.Options(Bucket, "p", new Uri($"http://127.0.0.1:{closedPort}"));
        var error = await Assert.ThrowsAsync<StorageException>(async () => await S3Storage.OpenAsync(options));
        Assert.Equal(StorageErrorKind.Network, error.Kind);
        Assert.True(error.IsTransient);
        Assert.Contains("endpoint unreachable", error.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{closedPort}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(rgw.SecretKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Small_objects_go_up_in_one_put_and_large_ones_as_multipart()
    {
        var prefix = Prefix();
        await using var storage = await S3Storage.OpenAsync(rgw.Options(Bucket, prefix));
        await storage.WriteAllAsync("small", TestData.Bytes(1000, 1));
        await TestData.WriteInChunksAsync(storage, "large", TestData.Bytes((3 * S3Options.MinPartSize) + 5, 2));

        using var client = rgw.CreateClient();
        var small = await client.GetObjectMetadataAsync(Bucket, prefix + "/small");
        var large = await client.GetObjectMetadataAsync(Bucket, prefix + "/large");
        Assert.DoesNotContain("-", small.ETag, StringComparison.Ordinal);
        Assert.EndsWith("-4\"", large.ETag, StringComparison.Ordinal);
        Assert.Equal((3 * S3Options.MinPartSize) + 5, large.ContentLength);
    }

    [Fact]
    public async Task A_writer_disposed_before_completion_aborts_its_multipart_upload()
    {
        var prefix = Prefix();
        await using var storage = await S3Storage.OpenAsync(rgw.Options(Bucket, prefix));
        await using (var writer = await storage.CreateAsync("abandoned"))
        {
            await writer.WriteAsync(TestData.Bytes((2 * S3Options.MinPartSize) + 1, 3));
        }

        using var client = rgw.CreateClient();
        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = prefix });
        Assert.Empty(uploads.MultipartUploads ?? []);
        Assert.False(await storage.ExistsAsync("abandoned"));
    }

    [Fact]
    public async Task Acl_and_storage_class_are_applied_to_single_and_multipart_uploads()
    {
        var prefix = Prefix();
        await using var storage = await S3Storage.OpenAsync(rgw.Options(Bucket, prefix) with { Acl = "public-read", StorageClass = "STANDARD" });
        await storage.WriteAllAsync("single", TestData.Bytes(10, 4));
        await TestData.WriteInChunksAsync(storage, "multi", TestData.Bytes(S3Options.MinPartSize + 10, 5));

        using var client = rgw.CreateClient();
        foreach (var key in new[] { "single", "multi" })
        {
            var acl = await client.GetObjectAclAsync(new GetObjectAclRequest { BucketName = Bucket, Key = prefix + "/" + key });
            Assert.Contains(acl.Grants ?? [], g => g.Grantee.URI == "http://acs.amazonaws.com/groups/global/AllUsers" && g.Permission.Value == "READ");
        }
    }

    [Fact]
    public async Task The_sdk_makes_no_retries_of_its_own()
    {
        await using var proxy = FaultProxy.Start(rgw.Endpoint, new FaultProxyOptions { ServiceUnavailableEvery = 1 });
        await using var storage = await S3Storage.OpenAsync(rgw.Options(Bucket, Prefix(), proxy.Endpoint) with { CheckBucketOnOpen = false });
        await SdkRetryAssertions.FailsAfterOneRequestAsync(proxy, storage);
    }

    [Fact]
    public async Task A_reader_resumes_from_its_offset_after_the_connection_drops_without_any_retry_policy()
    {
        var prefix = Prefix();
        var data = TestData.Bytes(3_000_000, 6);
        await using (var direct = await S3Storage.OpenAsync(rgw.Options(Bucket, prefix)))
        {
            await direct.WriteAllAsync("resume.bin", data);
        }

        await using var proxy = FaultProxy.Start(rgw.Endpoint, new FaultProxyOptions { DropResponseEvery = 2 });
        await using var storage = await S3Storage.OpenAsync(rgw.Options(Bucket, prefix, proxy.Endpoint), RetryPolicy.None);
        for (var i = 0; i < 3; i++)
        {
            await using var reader = await storage.OpenReadAsync("resume.bin", 12_345, 2_500_000);
            var (sha, length) = await TestData.HashStreamAsync(reader);
            Assert.Equal(2_500_000, length);
            Assert.Equal(TestData.Sha256(data.AsSpan(12_345, 2_500_000)), sha);
        }
        Assert.True(proxy.DroppedResponses >= 1, "the proxy cut no response");
    }

    [Fact]
    public async Task A_reader_that_keeps_failing_gives_up_with_a_transient_error()
    {
        var prefix = Prefix();
        await using (var direct = await S3Storage.OpenAsync(rgw.Options(Bucket, prefix)))
        {
            await direct.WriteAllAsync("doomed.bin", TestData.Bytes(1_000_000, 7));
        }

        await using var proxy = FaultProxy.Start(rgw.Endpoint, new FaultProxyOptions { DropResponseEvery = 1, DropMinBodyBytes = 1000, DropAfterFraction = 0 });
        await using var storage = await S3Storage.OpenAsync(rgw.Options(Bucket, prefix, proxy.Endpoint) with { MaxReadResumes = 2 }, RetryPolicy.None);
        var error = await Assert.ThrowsAsync<StorageException>(async () =>
        {
            await using var reader = await storage.OpenReadAsync("doomed.bin");
            await TestData.HashStreamAsync(reader);
        });
        Assert.True(error.IsTransient);
        Assert.Equal(StorageErrorKind.Network, error.Kind);
        Assert.Contains("without progress", error.Message, StringComparison.Ordinal);
    }
}
