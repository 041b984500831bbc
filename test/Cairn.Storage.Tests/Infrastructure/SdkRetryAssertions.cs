namespace Cairn.Storage.Tests.Infrastructure;

/// <summary>Checks shared by every cloud backend that its SDK's own retries are off.</summary>
internal static class SdkRetryAssertions
{
    /// <summary>
    /// Behind a proxy that answers every request with 503, a read of metadata and a small write must each fail as a
    /// transient HTTP 503 after exactly one request: any more would be the SDK retrying on its own.
    /// </summary>
    public static async Task FailsAfterOneRequestAsync(FaultProxy proxy, IExternalStorage storage)
    {
        var exists = await Assert.ThrowsAsync<StorageException>(async () => await storage.ExistsAsync("x"));
        Assert.True(exists.IsTransient);
        Assert.Contains("HTTP 503", exists.Message, StringComparison.Ordinal);
        Assert.Equal(1, proxy.Requests);

        var write = await Assert.ThrowsAsync<StorageException>(async () => await storage.WriteAllAsync("y", new byte[10]));
        Assert.True(write.IsTransient);
        Assert.Contains("HTTP 503", write.Message, StringComparison.Ordinal);
        Assert.Equal(2, proxy.Requests);
    }
}
