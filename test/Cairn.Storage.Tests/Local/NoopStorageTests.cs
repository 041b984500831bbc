namespace Cairn.Storage.Tests.Local;

/// <summary>noop:// keeps nothing.</summary>
public sealed class NoopStorageTests
{
    [Fact]
    public async Task Writes_are_discarded_reads_fail_as_not_found_and_listings_are_empty()
    {
        await using var storage = await ExternalStorage.OpenAsync("noop://");
        Assert.Equal("noop://", storage.Uri);

        await using (var writer = await storage.CreateAsync("a/b.sst"))
        {
            await writer.WriteAsync(new byte[4096]);
            Assert.Equal(4096, writer.BytesWritten);
            await writer.CompleteAsync();
        }
        await storage.WriteAllAsync("meta", new byte[10]);

        Assert.False(await storage.ExistsAsync("a/b.sst"));
        Assert.False(await storage.ExistsAsync("meta"));
        var error = await Assert.ThrowsAsync<StorageException>(async () => await storage.ReadAllAsync("meta"));
        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
        Assert.False(error.IsTransient);
        await Assert.ThrowsAsync<StorageException>(async () => await storage.OpenReadAsync("a/b.sst"));
        await storage.DeleteAsync("meta");
        await foreach (var _ in storage.ListAsync())
        {
            Assert.Fail("noop:// listed an object");
        }
    }
}
