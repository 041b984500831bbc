using Cairn.Storage.Gcs;
using Cairn.Storage.Tests.Contract;
using Cairn.Storage.Tests.Infrastructure;

namespace Cairn.Storage.Tests;

/// <summary>
/// The storage contract on the GCS emulator through the fault-injecting proxy, which cuts every 2nd large response
/// half-way; reads must resume where the connection broke and listings must go on from the failed page.
/// </summary>
/// <remarks>
/// No 503s are injected here, unlike the Azure variant: on the emulator, large objects are uploaded by a single
/// streaming PUT (<see cref="GcsUploadMode.SingleRequest"/>), which cannot be replayed once its body has been
/// consumed, so a 503 on it fails the write by design. Real GCS uses chunked sessions, whose chunk retries the
/// emulator cannot exercise. 503s on the retryable requests are covered in <see cref="GcsFaultTests"/>.
/// </remarks>
public sealed class GcsFaultProxyContractTests : StorageContractTests, IClassFixture<GcsEmulatorFixture>, IAsyncLifetime
{
    private readonly GcsEmulatorFixture _gcs;
    private FaultProxy? _proxy;

    public GcsFaultProxyContractTests(GcsEmulatorFixture gcs) => _gcs = gcs;

    public Task InitializeAsync()
    {
        _proxy = FaultProxy.Start(new Uri(_gcs.Endpoint), new FaultProxyOptions { DropResponseEvery = 2 });
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
        var retry = AzureFaultProxyContractTests.FastRetry;
        var options = _gcs.Options(context.Prefix, endpoint: _proxy!.Endpoint.ToString().TrimEnd('/')) with
        {
            ChunkSize = context.PartSize,
            ListPageSize = context.ListPageSize,
            ReadAttempts = 5,
        };
        var inner = await retry.ExecuteAsync("open", async ct => await GcsStorage.OpenAsync(options, retry, handler: null, ct), cancellationToken);
        return new RetryingStorage(inner, retry);
    }
}
