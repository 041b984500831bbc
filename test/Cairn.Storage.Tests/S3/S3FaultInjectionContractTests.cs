using Cairn.Storage.S3;
using Cairn.Storage.Tests.Contract;
using Cairn.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Cairn.Storage.Tests.S3;

/// <summary>
/// The contract on S3 through a <see cref="FaultProxy"/> that answers every 3rd request with a 503 and cuts every
/// 2nd large response in the middle, with the retry decorator on top. Passing means retries and read resumption
/// hide the faults and no byte gets corrupted.
/// </summary>
[Collection(RadosGatewayCollection.Name)]
public sealed class S3FaultInjectionContractTests : CredentialedStorageContractTests, IAsyncLifetime
{
    private const string Bucket = "faults";
    private readonly RadosGatewayFixture _rgw;
    private readonly FaultProxy _proxy;
    private readonly List<StorageRetryEvent> _retries = [];
    private readonly ITestOutputHelper _output;

    public S3FaultInjectionContractTests(RadosGatewayFixture rgw, ITestOutputHelper output)
    {
        _rgw = rgw;
        _output = output;
        _proxy = FaultProxy.Start(rgw.Endpoint, new FaultProxyOptions { ServiceUnavailableEvery = 3, DropResponseEvery = 2 });
    }

    /// <summary>Short delays: the faults are certain, waiting longer proves nothing more.</summary>
    private RetryPolicy Policy => new()
    {
        MaxAttempts = 10,
        BaseDelay = TimeSpan.FromMilliseconds(5),
        ThrottleBaseDelay = TimeSpan.FromMilliseconds(20),
        MaxDelay = TimeSpan.FromMilliseconds(200),
        OnRetry = e =>
        {
            lock (_retries)
            {
                _retries.Add(e);
            }
        },
    };

    protected override IEnumerable<string> Secrets => [_rgw.SecretKey];

    public Task InitializeAsync() => _rgw.EnsureBucketAsync(Bucket);

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    protected override async ValueTask<IExternalStorage> OpenStorageAsync(StorageContractContext context, CancellationToken cancellationToken)
    {
        var options = _rgw.Options(Bucket, context.Prefix, _proxy.Endpoint) with { ListPageSize = context.ListPageSize, PartSize = context.PartSize };
        var policy = Policy;
        var s3 = await policy.ExecuteAsync("open", ct => S3Storage.OpenAsync(options, policy, ct), cancellationToken);
        return new RetryingStorage(s3, policy);
    }

    protected override async ValueTask<(IExternalStorage? Storage, StorageException? OpenError, string WrongSecret)> OpenWithWrongCredentialsAsync(StorageContractContext context, CancellationToken cancellationToken)
    {
        var wrong = "wrongSecret" + Guid.NewGuid().ToString("N");
        var options = _rgw.Options(Bucket, context.Prefix, _proxy.Endpoint) with { SecretAccessKey = wrong, CheckBucketOnOpen = false };
        var policy = Policy;
        var s3 = await S3Storage.OpenAsync(options, policy, cancellationToken);
        return (new RetryingStorage(s3, policy), null, wrong);
    }

    [Fact]
    public async Task Faults_are_injected_and_a_large_object_survives_them_intact()
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(cancellationToken: ct);
        var data = TestData.Bytes((4 * PartSize) + 4321, seed: 42);
        await TestData.WriteInChunksAsync(storage, "survivor.bin", data, cancellationToken: ct);
        for (var i = 0; i < 3; i++)
        {
            await using var reader = await storage.OpenReadAsync("survivor.bin", cancellationToken: ct);
            var (sha, length) = await TestData.HashStreamAsync(reader, ct);
            Assert.Equal(data.Length, length);
            Assert.Equal(TestData.Sha256(data), sha);
        }
        Assert.Equal(TestData.Sha256(data), TestData.Sha256(await storage.ReadAllAsync("survivor.bin", ct)));

        _output.WriteLine($"{_proxy.Requests} requests, {_proxy.InjectedErrors} answered 503, {_proxy.DroppedResponses} responses cut, {_retries.Count} retries");
        Assert.True(_proxy.InjectedErrors > 0, "no 503 was injected");
        Assert.True(_proxy.DroppedResponses > 0, "no response was cut");
        lock (_retries)
        {
            Assert.NotEmpty(_retries);
            Assert.Contains(_retries, r => r.Error.Kind is StorageErrorKind.Throttled or StorageErrorKind.ServerError);
            Assert.All(_retries, r => Assert.DoesNotContain(_rgw.SecretKey, r.Error.ToString(), StringComparison.Ordinal));
        }
    }
}
