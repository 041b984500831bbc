using Cairn.Storage.Gcs;
using Cairn.Storage.Tests.Contract;

namespace Cairn.Storage.Tests;

/// <summary>
/// The storage contract on the GCS emulator, behind the launcher's chunked-upload layer (see <see cref="GcsEmulatorFixture"/>):
/// large objects go through the SDK's resumable uploads, one PUT per chunk answered 308. Not the credentialed contract:
/// the emulator accepts any credentials, so wrong ones cannot be refused.
/// </summary>
public sealed class GcsContractTests : StorageContractTests, IClassFixture<GcsEmulatorFixture>
{
    private readonly GcsEmulatorFixture _gcs;

    public GcsContractTests(GcsEmulatorFixture gcs) => _gcs = gcs;

    protected override async ValueTask<IExternalStorage> OpenStorageAsync(StorageContractContext context, CancellationToken cancellationToken) =>
        await GcsStorage.OpenAsync(_gcs.Options(context.Prefix) with { ChunkSize = context.PartSize, ListPageSize = context.ListPageSize }, cancellationToken);
}
