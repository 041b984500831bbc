using Cairn.Storage.Azure;
using Cairn.Storage.Tests.Contract;
using Cairn.Storage.Tests.Infrastructure;

namespace Cairn.Storage.Tests;

/// <summary>
/// The storage contract on azurite through the fault-injecting proxy: every 5th request is answered 503 and every
/// 2nd large response is cut half-way. The storage is stacked as the factory stacks it (retry decorator outside,
/// part retries inside the writer); reads must resume where the connection broke. xunit makes a new instance,
/// hence a new proxy, for each test, so the fault pattern is the same on every run.
/// </summary>
public sealed class AzureFaultProxyContractTests : StorageContractTests, IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    internal static readonly RetryPolicy FastRetry = new()
    {
        BaseDelay = TimeSpan.FromMilliseconds(10),
        ThrottleBaseDelay = TimeSpan.FromMilliseconds(20),
        MaxDelay = TimeSpan.FromMilliseconds(200),
    };

    private readonly AzuriteFixture _azurite;
    private FaultProxy? _proxy;

    public AzureFaultProxyContractTests(AzuriteFixture azurite) => _azurite = azurite;

    public Task InitializeAsync()
    {
        _proxy = FaultProxy.Start(new Uri(_azurite.Endpoint), new FaultProxyOptions { ServiceUnavailableEvery = 5, DropResponseEvery = 2 });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }
    }

    protected override async ValueTask<IExternalStorage> OpenStorageAsync(StorageContractContext context, CancellationToken cancellationToken)
    {
        var options = _azurite.Options(context.Prefix, endpoint: $"{_proxy!.Endpoint.ToString().TrimEnd('/')}/{AzuriteFixture.AccountName}") with
        {
            BlockSize = context.PartSize,
            ListPageSize = context.ListPageSize,
            ReadAttempts = 5,
        };
        var inner = await FastRetry.ExecuteAsync("open", async ct => await AzureBlobStorage.OpenAsync(options, FastRetry, handler: null, ct), cancellationToken);
        return new RetryingStorage(inner, FastRetry);
    }
}
