using Cairn.Storage.Gcs;
using Cairn.Storage.Tests.Contract;
using Cairn.Storage.Tests.Infrastructure;

namespace Cairn.Storage.Tests;

/// <summary>
/// The storage contract on the GCS emulator through the fault-injecting proxy: every 5th request is answered 503 (chunk PUTs included,
/// which the writer recovers by asking the session what it holds and resending the rest) and every 2nd large
/// response is cut half-way. Stacked as the factory stacks it.
/// </summary>
public sealed class GcsFaultProxyContractTests : StorageContractTests, IClassFixture<GcsEmulatorFixture>, IAsyncLifetime
{
    private readonly GcsEmulatorFixture _gcs;
    private FaultProxy? _proxy;

    public GcsFaultProxyContractTests(GcsEmulatorFixture gcs) => _gcs = gcs;

    public Task InitializeAsync()
    {
        _proxy = FaultProxy.Start(new Uri(_gcs.Endpoint), new FaultProxyOptions { ServiceUnavailableEvery = 5, DropResponseEvery = 2 });
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
