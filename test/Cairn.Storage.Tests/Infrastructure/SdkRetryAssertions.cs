namespace Cairn.Storage.Tests.Infrastructure;

/// <summary>Checks shared by every cloud backend that its SDK's own retries are off.</summary>
internal static class SdkRetryAssertions
{
    /// <summary>
    /// Behind a proxy that answers every request with 503, one call must fail as a transient HTTP 503 after exactly
    /// one request: a second one would be the SDK retrying on its own.
    /// </summary>
    public static async Task FailsAfterOneRequestAsync(FaultProxy proxy, IExternalStorage storage)
    {
        var error = await Assert.ThrowsAsync<StorageException>(async () => await storage.ExistsAsync("x"));
        Assert.True(error.IsTransient);
        Assert.Contains("HTTP 503", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, proxy.Requests);
    }
}
