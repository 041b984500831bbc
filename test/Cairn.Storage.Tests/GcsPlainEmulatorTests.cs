using Cairn.Storage.Gcs;
using static Cairn.Storage.Tests.AzureGcsTestHelpers;

namespace Cairn.Storage.Tests;

/// <summary>
/// The GCS backend against the emulator without the launcher's chunked-upload layer. The emulator ends a resumable
/// session at its first PUT (it cannot do what the SDK asks for large objects), so the backend must notice the early
/// end rather than report a truncated object as written.
/// </summary>
public sealed class GcsPlainEmulatorTests : IClassFixture<GcsPlainEmulatorFixture>
{
    private const int ChunkSize = 256 * 1024;
    private readonly GcsPlainEmulatorFixture _gcs;

    public GcsPlainEmulatorTests(GcsPlainEmulatorFixture gcs) => _gcs = gcs;

    [Fact]
    public async Task An_upload_the_server_ends_early_fails_loudly_and_leaves_nothing()
    {
        await using var storage = await GcsStorage.OpenAsync(_gcs.Options("chunked") with { ChunkSize = ChunkSize });
        await using (var writer = await storage.CreateAsync("truncated"))
        {
            var e = await Assert.ThrowsAsync<StorageException>(async () =>
            {
                await writer.WriteAsync(RandomBytes(3 * ChunkSize));
                await writer.CompleteAsync();
            });
            Assert.Contains("does not support chunked resumable uploads", e.Message, StringComparison.Ordinal);
            Assert.False(e.IsTransient);
        }
        Assert.False(await storage.ExistsAsync("truncated"));

        // Objects that fit in one chunk go out in one PUT, so they work on the plain emulator too.
        await storage.WriteAllAsync("fits", RandomBytes(ChunkSize));
        Assert.Equal(ChunkSize, (await storage.ReadAllAsync("fits")).Length);
    }
}
