using Cairn.Storage.Local;
using Cairn.Storage.Tests.Contract;
using Cairn.Storage.Tests.Infrastructure;

namespace Cairn.Storage.Tests.Local;

/// <summary>What only the local backend promises: the folder, temporary files and atomic replacement.</summary>
public sealed class LocalStorageTests : IDisposable
{
    private readonly TempDirectory _root = new("local");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Base_folder_is_created_by_the_first_write_not_by_opening_or_listing()
    {
        var basePath = Path.Combine(_root.Path, "a", "b");
        await using var storage = new LocalStorage(basePath);
        Assert.Equal("file://" + basePath, storage.Uri);
        Assert.Empty(await storage.ListAsync().ToListAsync());
        Assert.False(await storage.ExistsAsync("x"));
        Assert.False(Directory.Exists(Path.Combine(_root.Path, "a")));

        await storage.WriteAllAsync("x", new byte[] { 1 });
        Assert.True(File.Exists(Path.Combine(basePath, "x")));
    }

    [Fact]
    public async Task Deleting_a_folder_says_it_is_a_folder()
    {
        await using var storage = new LocalStorage(_root.Path);
        await storage.WriteAllAsync("dir/obj", new byte[] { 1 });
        var e = await Assert.ThrowsAsync<StorageException>(async () => await storage.DeleteAsync("dir"));
        Assert.Equal(StorageErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("folder", e.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_root.Path, "dir", "obj")));
    }

    [Fact]
    public async Task An_open_writer_keeps_its_bytes_in_a_hidden_temp_file_until_complete()
    {
        await using var storage = new LocalStorage(_root.Path);
        await using var writer = await storage.CreateAsync("dir/obj.sst");
        await writer.WriteAsync(TestData.Bytes(1000, 1));

        var onDisk = Directory.GetFiles(Path.Combine(_root.Path, "dir"));
        var temp = Assert.Single(onDisk);
        Assert.EndsWith(StoragePath.TempSuffix, temp, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root.Path, "dir", "obj.sst")));
        Assert.Empty(await ListAll(storage));

        await writer.CompleteAsync();
        Assert.Equal(["obj.sst"], Directory.GetFiles(Path.Combine(_root.Path, "dir")).Select(Path.GetFileName));
        Assert.Equal(TestData.Bytes(1000, 1), await File.ReadAllBytesAsync(Path.Combine(_root.Path, "dir", "obj.sst")));
    }

    [Fact]
    public async Task Disposing_an_incomplete_writer_deletes_its_temp_file_and_keeps_the_old_object()
    {
        await using var storage = new LocalStorage(_root.Path);
        await storage.WriteAllAsync("obj", "old"u8.ToArray());
        await using (var writer = await storage.CreateAsync("obj"))
        {
            await writer.WriteAsync("new and longer"u8.ToArray());
        }

        Assert.Equal(["obj"], Directory.GetFiles(_root.Path).Select(Path.GetFileName));
        Assert.Equal("old"u8.ToArray(), await storage.ReadAllAsync("obj"));
    }

    [Fact]
    public async Task Leftover_temp_files_are_never_listed_and_temp_names_cannot_be_written()
    {
        await using var storage = new LocalStorage(_root.Path);
        await File.WriteAllTextAsync(Path.Combine(_root.Path, ".crash." + Guid.NewGuid().ToString("N") + StoragePath.TempSuffix), "partial");
        await storage.WriteAllAsync(".hidden-but-real", "x"u8.ToArray());

        Assert.Equal([".hidden-but-real"], (await ListAll(storage)).Select(o => o.Path));
        var error = await Assert.ThrowsAsync<StorageException>(async () => await storage.WriteAllAsync("x" + StoragePath.TempSuffix, "y"u8.ToArray()));
        Assert.Equal(StorageErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public async Task A_file_outside_the_base_is_unreachable_through_a_symlink_free_escape()
    {
        var inside = Path.Combine(_root.Path, "inside");
        await File.WriteAllTextAsync(Path.Combine(_root.Path, "secret.txt"), "outside");
        await using var storage = new LocalStorage(inside);
        var error = await Assert.ThrowsAsync<StorageException>(async () => await storage.ReadAllAsync("../secret.txt"));
        Assert.Equal(StorageErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("'..'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_is_not_an_object()
    {
        await using var storage = new LocalStorage(_root.Path);
        await storage.WriteAllAsync("dir/file", "x"u8.ToArray());
        Assert.False(await storage.ExistsAsync("dir"));
        var error = await Assert.ThrowsAsync<StorageException>(async () => await storage.ReadAllAsync("dir"));
        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
        var open = await Assert.ThrowsAsync<StorageException>(async () => await storage.OpenReadAsync("dir"));
        Assert.Equal(StorageErrorKind.NotFound, open.Kind);
    }

    private static async Task<List<StorageObject>> ListAll(IExternalStorage storage)
    {
        var result = new List<StorageObject>();
        await foreach (var item in storage.ListAsync())
        {
            result.Add(item);
        }

        return result;
    }
}
