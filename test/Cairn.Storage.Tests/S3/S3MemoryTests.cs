using System.Security.Cryptography;
using Cairn.Storage.S3;
using Cairn.Storage.Tests.Contract;
using Cairn.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Cairn.Storage.Tests.S3;

/// <summary>
/// A large upload must not hold the object in memory: the writer keeps at most two part buffers. The collection
/// runs alone, so the managed heap measured here is this test's own.
/// </summary>
[Collection(RadosGatewayCollection.Name)]
public sealed class S3MemoryTests(RadosGatewayFixture rgw, ITestOutputHelper output)
{
    private const string Bucket = "memory";
    private const long ObjectSize = 256L << 20;

    [Fact]
    public async Task Uploading_256_MiB_keeps_the_live_managed_heap_bounded()
    {
        await rgw.EnsureBucketAsync(Bucket);
        await using var storage = await S3Storage.OpenAsync(rgw.Options(Bucket, $"t-{Guid.NewGuid():N}"));
        var chunk = new byte[1 << 20];
        var random = new Random(2024);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peakLive = 0;
        await using (var writer = await storage.CreateAsync("big.bin"))
        {
            for (long written = 0; written < ObjectSize; written += chunk.Length)
            {
                random.NextBytes(chunk);
                hash.AppendData(chunk);
                await writer.WriteAsync(chunk);
                if ((written >> 20) % 8 == 7)
                {
                    peakLive = Math.Max(peakLive, GC.GetTotalMemory(forceFullCollection: true) - baseline);
                }
            }
            await writer.CompleteAsync();
        }
        var expected = Convert.ToHexString(hash.GetHashAndReset());

        output.WriteLine($"uploaded {ObjectSize >> 20} MiB; peak live managed heap growth {peakLive / (1 << 20)} MiB; process peak working set {Environment.WorkingSet >> 20} MiB (now)");
        // Two 5 MiB part buffers plus the SDK's request state; a writer that buffered the object would need 256 MiB.
        Assert.InRange(peakLive, 0, 48L << 20);

        await using (var reader = await storage.OpenReadAsync("big.bin"))
        {
            var (sha, length) = await TestData.HashStreamAsync(reader);
            Assert.Equal(ObjectSize, length);
            Assert.Equal(expected, sha);
        }
        await storage.DeleteAsync("big.bin");
    }
}
