using System.Security.Cryptography;
using Cairn.Storage.Gcs;
using static Cairn.Storage.Tests.AzureGcsTestHelpers;

namespace Cairn.Storage.Tests;

/// <summary>Chunked uploads to a session that keeps only part of each chunk: the writer resends what was not kept.</summary>
public sealed class GcsPartialChunkTests : IClassFixture<GcsPartialChunkEmulatorFixture>
{
    private const int ChunkSize = 1024 * 1024;
    private readonly GcsPartialChunkEmulatorFixture _gcs;

    public GcsPartialChunkTests(GcsPartialChunkEmulatorFixture gcs) => _gcs = gcs;

    [Fact]
    public async Task Bytes_the_session_did_not_keep_are_sent_again()
    {
        using var recorder = new GcsRequestRecorder();
        var options = _gcs.Options("partial") with { ChunkSize = ChunkSize };
        await using var storage = await GcsStorage.OpenAsync(options, requestRetry: null, handler: recorder);
        var data = RandomBytes(3 * ChunkSize + 777);
        await using (var writer = await storage.CreateAsync("big"))
        {
            for (var offset = 0; offset < data.Length; offset += 300_000)
            {
                await writer.WriteAsync(data.AsMemory(offset, Math.Min(300_000, data.Length - offset)));
            }
            await writer.CompleteAsync();
        }
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await storage.ReadAllAsync("big")));

        // Each 1 MiB chunk is half kept, so every chunk after the first starts 512 KiB after the previous start.
        var ranges = recorder.Exchanges.Where(e => e.Method == "PUT").Select(e => e.ContentRange!).ToList();
        Assert.StartsWith("bytes 0-1048575/*", ranges[0], StringComparison.Ordinal);
        Assert.StartsWith("bytes 524288-1572863/*", ranges[1], StringComparison.Ordinal);
        Assert.EndsWith($"/{data.Length}", ranges[^1], StringComparison.Ordinal);
    }
}
