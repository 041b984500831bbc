using Cairn.Storage.Gcs;
using Cairn.Storage.Tests.Contract;

namespace Cairn.Storage.Tests;

/// <summary>
/// The storage contract with <see cref="GcsUploadMode.Chunked"/> uploads (the mode used for real GCS), run against
/// the emulator behind the launcher's chunked-upload layer: 5 MiB chunks, each its own PUT answered 308.
/// </summary>
public sealed class GcsChunkedContractTests : StorageContractTests, IClassFixture<GcsChunkedEmulatorFixture>
{
    private readonly GcsChunkedEmulatorFixture _gcs;

    public GcsChunkedContractTests(GcsChunkedEmulatorFixture gcs) => _gcs = gcs;

    protected override async ValueTask<IExternalStorage> OpenStorageAsync(StorageContractContext context, CancellationToken cancellationToken) =>
        await GcsStorage.OpenAsync(_gcs.Options(context.Prefix) with
        {
            ChunkSize = context.PartSize,
            ListPageSize = context.ListPageSize,
            UploadMode = GcsUploadMode.Chunked,
        }, cancellationToken);
}
