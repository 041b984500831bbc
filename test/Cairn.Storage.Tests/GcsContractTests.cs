using Cairn.Storage.Gcs;
using Cairn.Storage.Tests.Contract;

namespace Cairn.Storage.Tests;

/// <summary>
/// The storage contract on the GCS emulator. Large objects go through a resumable session fed by one streaming PUT
/// (<see cref="GcsUploadMode.SingleRequest"/>, what Auto picks for an unauthenticated endpoint); the chunked protocol
/// real GCS uses cannot run on the emulator (see <see cref="GcsStorageTests"/>). Not the credentialed contract:
/// the emulator accepts any credentials, so wrong ones cannot be refused.
/// </summary>
public sealed class GcsContractTests : StorageContractTests, IClassFixture<GcsEmulatorFixture>
{
    private readonly GcsEmulatorFixture _gcs;

    public GcsContractTests(GcsEmulatorFixture gcs) => _gcs = gcs;

    protected override async ValueTask<IExternalStorage> OpenStorageAsync(StorageContractContext context, CancellationToken cancellationToken) =>
        await GcsStorage.OpenAsync(_gcs.Options(context.Prefix) with { ChunkSize = context.PartSize, ListPageSize = context.ListPageSize }, cancellationToken);
}
