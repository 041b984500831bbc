using System.Security.Cryptography;
using Cairn.Storage.Gcs;
using Cairn.Storage.Tests.Infrastructure;
using static Cairn.Storage.Tests.AzureGcsTestHelpers;

namespace Cairn.Storage.Tests;

/// <summary>
/// The chunked resumable-upload protocol as the SDK speaks it and the writer resumes it, against the emulator behind
/// the launcher's chunked-upload layer (see <see cref="GcsEmulatorFixture"/>).
/// </summary>
public sealed class GcsChunkedUploadTests : IClassFixture<GcsEmulatorFixture>
{
    private const int ChunkSize = 256 * 1024;
    private readonly GcsEmulatorFixture _gcs;

    public GcsChunkedUploadTests(GcsEmulatorFixture gcs) => _gcs = gcs;

    [Fact]
    public async Task Chunks_are_sent_in_order_with_open_ranges_and_the_last_names_the_total()
    {
        using var recorder = new GcsRequestRecorder();
        await using var storage = await GcsStorage.OpenAsync(Options("ranges"), requestRetry: null, handler: recorder);
        var data = RandomBytes(3 * ChunkSize); // exactly three chunks: the third is held back to carry the total
        await using (var writer = await storage.CreateAsync("three"))
        {
            await writer.WriteAsync(data);
            await writer.CompleteAsync();
        }
        var puts = recorder.Exchanges.Where(e => e.Method == "PUT").ToList();
        Assert.Equal(["bytes 0-262143/*", "bytes 262144-524287/*", "bytes 524288-786431/786432"], puts.Select(p => p.ContentRange));
        Assert.Equal([308, 308, 200], puts.Select(p => p.Status));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await storage.ReadAllAsync("three")));
    }

    [Fact]
    public async Task Failed_chunk_puts_are_recovered_by_asking_the_session_what_it_holds()
    {
        // Every third request is refused with 503 before it reaches the server: session start, chunks, final
        // chunk and status queries all meet it in turn. No retry decorator: the writer recovers on its own.
        await using var proxy = FaultProxy.Start(new Uri(_gcs.Endpoint), new FaultProxyOptions { ServiceUnavailableEvery = 3 });
        using var recorder = new GcsRequestRecorder();
        var options = Options("recover", proxy.Endpoint.ToString().TrimEnd('/'));
        await using var storage = await GcsStorage.OpenAsync(options, AzureFaultProxyContractTests.FastRetry, recorder);
        var data = RandomBytes(5 * ChunkSize + 4321);
        await using (var writer = await storage.CreateAsync("big"))
        {
            for (var offset = 0; offset < data.Length; offset += 100_000)
            {
                await writer.WriteAsync(data.AsMemory(offset, Math.Min(100_000, data.Length - offset)));
            }
            await writer.CompleteAsync();
        }
        Assert.True(proxy.InjectedErrors >= 3, $"only {proxy.InjectedErrors} errors were injected");
        Assert.Contains(recorder.Exchanges, e => e.ContentRange == "bytes */*" && e.Status == 308); // a status query was needed
        Assert.Contains(recorder.Exchanges, e => e.Method == "PUT" && e.Status == 503);
        await using var direct = await GcsStorage.OpenAsync(Options("recover"));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await direct.ReadAllAsync("big")));
    }

    [Fact]
    public async Task A_chunk_that_keeps_failing_ends_the_upload_after_its_attempts()
    {
        // Every second request is refused: each chunk PUT fails while each status query succeeds, so no chunk
        // ever gets through and the writer must give up rather than loop.
        await using var proxy = FaultProxy.Start(new Uri(_gcs.Endpoint), new FaultProxyOptions { ServiceUnavailableEvery = 2 });
        var options = Options("stuck", proxy.Endpoint.ToString().TrimEnd('/')) with { ReadAttempts = 3 };
        await using var storage = await GcsStorage.OpenAsync(options, AzureFaultProxyContractTests.FastRetry);
        await using (var writer = await storage.CreateAsync("stuck"))
        {
            var e = await Assert.ThrowsAsync<StorageException>(async () =>
            {
                await writer.WriteAsync(RandomBytes(3 * ChunkSize));
                await writer.CompleteAsync();
            });
            Assert.True(e.IsTransient);
            Assert.Equal(StorageErrorKind.Throttled, e.Kind);
            Assert.Contains("stuck", e.Message, StringComparison.Ordinal);
        }
        await using var direct = await GcsStorage.OpenAsync(Options("stuck"));
        Assert.False(await direct.ExistsAsync("stuck"));
    }

    [Fact]
    public async Task Aborted_chunked_upload_is_cancelled_and_leaves_nothing()
    {
        using var recorder = new GcsRequestRecorder();
        await using var storage = await GcsStorage.OpenAsync(Options("abort"), requestRetry: null, handler: recorder);
        await using (var writer = await storage.CreateAsync("partial"))
        {
            await writer.WriteAsync(RandomBytes(3 * ChunkSize + 1));
        }
        Assert.Contains(recorder.Exchanges, e => e.Method == "DELETE" && e.Status == 499); // the session was cancelled
        Assert.False(await storage.ExistsAsync("partial"));
        Assert.Empty(await ListAsync(storage));
    }

    private Cairn.Storage.GcsOptions Options(string prefix, string? endpoint = null) =>
        _gcs.Options(prefix, endpoint) with { ChunkSize = ChunkSize };
}
