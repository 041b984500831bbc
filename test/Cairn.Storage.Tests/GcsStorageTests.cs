using System.Security.Cryptography;
using Cairn.Storage.Gcs;
using static Cairn.Storage.Tests.AzureGcsTestHelpers;

namespace Cairn.Storage.Tests;

/// <summary>
/// The GCS backend against the firebase-tools storage emulator.
/// </summary>
/// <remarks>
/// What the emulator can and cannot exercise:
/// <list type="bullet">
/// <item>Small objects (up to one chunk) are uploaded from memory through a resumable session with one PUT: fully exercised.</item>
/// <item>Large objects go through the SDK's chunked resumable upload. The emulator itself finalizes the object on the
/// first chunk's PUT instead of answering 308, so these tests run behind the launcher's chunked-upload layer
/// (<see cref="GcsEmulatorFixture"/>): our reading of the documented protocol, not GCS itself.
/// <see cref="GcsPlainEmulatorTests"/> shows that against the plain emulator the writer notices the early end.</item>
/// <item>Authentication: the emulator ignores the Authorization header, so wrong credentials cannot be refused here;
/// the token path is exercised against a local token endpoint instead (see the OAuth test).</item>
/// <item>Bucket existence: the emulator creates buckets on first use and lists a missing bucket as empty, so the
/// "bucket missing" error at open cannot be produced here.</item>
/// <item>Generation pinning of resumed reads: the emulator ignores <c>generation=</c>.</item>
/// </list>
/// </remarks>
public sealed class GcsStorageTests : IClassFixture<GcsEmulatorFixture>
{
    private const int ChunkSize = 256 * 1024;
    private readonly GcsEmulatorFixture _gcs;

    public GcsStorageTests(GcsEmulatorFixture gcs) => _gcs = gcs;

    [Fact]
    public async Task A_custom_endpoint_without_credentials_is_used_unauthenticated()
    {
        await using var storage = await GcsStorage.OpenAsync(_gcs.Options("auto"));
        Assert.False(storage.IsAuthenticated);
    }

    [Fact]
    public async Task Small_object_round_trips()
    {
        await using var storage = await OpenAsync("small");
        var data = RandomBytes(1000);
        await storage.WriteAllAsync("meta/backupmeta", data);
        Assert.Equal(data, await storage.ReadAllAsync("meta/backupmeta"));
        Assert.Equal([new StorageObject("meta/backupmeta", 1000)], await ListAsync(storage));
    }

    [Fact]
    public async Task Empty_object_round_trips()
    {
        await using var storage = await OpenAsync("empty");
        await using (var writer = await storage.CreateAsync("nothing"))
        {
            await writer.CompleteAsync();
        }
        Assert.True(await storage.ExistsAsync("nothing"));
        Assert.Empty(await storage.ReadAllAsync("nothing"));
    }

    [Fact]
    public async Task Large_object_streams_through_a_resumable_session_and_round_trips()
    {
        // One resumable session, four chunk PUTs (the last one short).
        await using var storage = await OpenAsync("large");
        var data = RandomBytes(3 * ChunkSize + 12345);
        await using (var writer = await storage.CreateAsync("sst/1_2_3.sst"))
        {
            for (var offset = 0; offset < data.Length; offset += 70001)
            {
                await writer.WriteAsync(data.AsMemory(offset, Math.Min(70001, data.Length - offset)));
            }
            Assert.Equal(data.Length, writer.BytesWritten);
            Assert.False(await storage.ExistsAsync("sst/1_2_3.sst"));
            await writer.CompleteAsync();
        }
        await using var stream = await storage.OpenReadAsync("sst/1_2_3.sst");
        Assert.Equal(data.Length, stream.Length);
        Assert.Equal(SHA256.HashData(data), await SHA256.HashDataAsync(stream));
    }

    [Fact]
    public async Task Large_write_all_round_trips()
    {
        await using var storage = await OpenAsync("writeall");
        var data = RandomBytes(5 * ChunkSize + 3);
        await storage.WriteAllAsync("big", data);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await storage.ReadAllAsync("big")));
    }

    [Fact]
    public async Task Ranged_reads_return_the_requested_bytes()
    {
        await using var storage = await OpenAsync("ranges");
        var data = RandomBytes(5000);
        await storage.WriteAllAsync("r", data);

        Assert.Equal(data[100..200], await ReadRangeAsync(storage, "r", 100, 100));
        Assert.Equal(data[4990..], await ReadRangeAsync(storage, "r", 4990, null));
        Assert.Equal(data[4990..], await ReadRangeAsync(storage, "r", 4990, 500));
        Assert.Equal(data, await ReadRangeAsync(storage, "r", 0, null));
        Assert.Empty(await ReadRangeAsync(storage, "r", 5000, null));
        Assert.Empty(await ReadRangeAsync(storage, "r", 10, 0));
        Assert.Empty(await ReadRangeAsync(storage, "r", 6000, null)); // past the end: empty, like a file
    }

    [Fact]
    public async Task Exists_and_delete()
    {
        await using var storage = await OpenAsync("exists");
        Assert.False(await storage.ExistsAsync("a/b"));
        await storage.WriteAllAsync("a/b", RandomBytes(10));
        Assert.True(await storage.ExistsAsync("a/b"));
        await storage.DeleteAsync("a/b");
        Assert.False(await storage.ExistsAsync("a/b"));
        await storage.DeleteAsync("a/b");
    }

    [Fact]
    public async Task Missing_object_is_not_found_with_a_clear_message()
    {
        await using var storage = await OpenAsync("missing");
        var read = await Assert.ThrowsAsync<StorageException>(async () => await storage.ReadAllAsync("no/such.sst"));
        Assert.Equal(StorageErrorKind.NotFound, read.Kind);
        Assert.False(read.IsTransient);
        Assert.Contains("no/such.sst", read.Message, StringComparison.Ordinal);
        Assert.Contains("404", read.Message, StringComparison.Ordinal);
        Assert.Contains("read", read.Message, StringComparison.Ordinal);
        var exists = await Assert.ThrowsAsync<StorageException>(async () => await storage.OpenReadAsync("no/such.sst", 0, 0));
        Assert.Contains("notFound", exists.Message, StringComparison.Ordinal); // metadata errors carry the JSON reason
        var ranged = await Assert.ThrowsAsync<StorageException>(async () => await storage.OpenReadAsync("no/such.sst", 5, 5));
        Assert.Equal(StorageErrorKind.NotFound, ranged.Kind);
        var empty = await Assert.ThrowsAsync<StorageException>(async () => await storage.OpenReadAsync("no/such.sst", 5, 0));
        Assert.Equal(StorageErrorKind.NotFound, empty.Kind);
    }

    [Fact]
    public async Task List_pages_through_many_objects()
    {
        await using var storage = await OpenAsync("paging", o => o with { ListPageSize = 7 });
        var expected = new List<StorageObject>();
        for (var i = 0; i < 40; i++)
        {
            var path = $"{(i % 3 == 0 ? "dir/" : "")}f{i:D3}";
            await storage.WriteAllAsync(path, RandomBytes(i));
            expected.Add(new StorageObject(path, i));
        }
        Assert.Equal(Sorted(expected), Sorted(await ListAsync(storage)));
        var dir = await ListAsync(storage, "dir/");
        Assert.Equal(14, dir.Count);
        Assert.Equal(Sorted(expected.Where(o => o.Path.StartsWith("dir/", StringComparison.Ordinal))), Sorted(dir));
        Assert.Empty(await ListAsync(storage, "nothing-here"));
    }

    [Fact]
    public async Task Prefix_keeps_storages_apart()
    {
        await using var outer = await OpenAsync("iso");
        await using var inner = await OpenAsync("iso/inner/most");
        await inner.WriteAllAsync("x", RandomBytes(3));
        await outer.WriteAllAsync("y", RandomBytes(4));
        Assert.Equal([new StorageObject("x", 3)], await ListAsync(inner));
        Assert.Equal(Sorted([new StorageObject("inner/most/x", 3), new StorageObject("y", 4)]), Sorted(await ListAsync(outer)));
        Assert.Equal("gcs://" + _gcs.Bucket + "/iso/inner/most", inner.Uri);
    }

    [Fact]
    public async Task Aborted_writer_leaves_nothing()
    {
        await using var storage = await OpenAsync("abort");
        await using (var writer = await storage.CreateAsync("partial.sst"))
        {
            // Chunks sent into the session, which is then broken off and cancelled.
            await writer.WriteAsync(RandomBytes(3 * ChunkSize + 1));
        }
        Assert.False(await storage.ExistsAsync("partial.sst"));
        Assert.Empty(await ListAsync(storage));

        var old = RandomBytes(100);
        await storage.WriteAllAsync("kept", old);
        await using (var writer = await storage.CreateAsync("kept"))
        {
            await writer.WriteAsync(RandomBytes(2 * ChunkSize + 5));
        }
        Assert.Equal(old, await storage.ReadAllAsync("kept"));
    }

    [Fact]
    public async Task Unicode_and_reserved_characters_in_names()
    {
        await using var storage = await OpenAsync("名前");
        string[] names = ["データ/ファイル.sst", "space and+plus/%25 #hash?q=1&x", "ümlaut/ñ/é", "emoji/🙂.bin"];
        foreach (var name in names)
        {
            await storage.WriteAllAsync(name, System.Text.Encoding.UTF8.GetBytes(name));
        }
        foreach (var name in names)
        {
            Assert.True(await storage.ExistsAsync(name), name);
            Assert.Equal(name, System.Text.Encoding.UTF8.GetString(await storage.ReadAllAsync(name)));
        }
        Assert.Equal(names.Order(StringComparer.Ordinal), (await ListAsync(storage)).Select(o => o.Path).Order(StringComparer.Ordinal));
        await storage.DeleteAsync(names[1]);
        Assert.False(await storage.ExistsAsync(names[1]));
    }

    [Fact]
    public async Task Storage_class_and_predefined_acl_are_sent_with_new_objects()
    {
        // The emulator accepts but drops storageClass and ACLs (every object reads back STANDARD), so the test
        // records what goes over the wire on its way to the emulator.
        using var recorder = new GcsRequestRecorder();
        var options = _gcs.Options("class") with { ChunkSize = ChunkSize, StorageClass = "NEARLINE", PredefinedAcl = "projectPrivate" };
        await using var storage = await GcsStorage.OpenAsync(options, requestRetry: null, handler: recorder);
        await storage.WriteAllAsync("small", RandomBytes(10));
        await using (var writer = await storage.CreateAsync("large"))
        {
            await writer.WriteAsync(RandomBytes(2 * ChunkSize + 1));
            await writer.CompleteAsync();
        }
        Assert.True(await storage.ExistsAsync("small"));
        Assert.True(await storage.ExistsAsync("large"));

        var uploads = recorder.Requests.Where(r => r.Method == "POST" && r.Uri.AbsolutePath.StartsWith("/upload/", StringComparison.Ordinal)).ToList();
        // The SDK uploads through resumable sessions only, small objects included (one PUT each).
        Assert.Equal(2, uploads.Count);
        foreach (var upload in uploads)
        {
            Assert.Contains("uploadType=resumable", upload.Uri.Query, StringComparison.Ordinal);
            Assert.Contains("predefinedAcl=projectPrivate", upload.Uri.Query, StringComparison.Ordinal);
            Assert.Contains("\"storageClass\":\"NEARLINE\"", upload.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Unreachable_endpoint_is_a_transient_network_error()
    {
        var e = await Assert.ThrowsAsync<StorageException>(() => GcsStorage.OpenAsync(_gcs.Options(endpoint: "http://127.0.0.1:1")));
        Assert.Equal(StorageErrorKind.Network, e.Kind);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task Missing_credentials_file_is_a_clear_error()
    {
        var e = await Assert.ThrowsAsync<StorageException>(() => GcsStorage.OpenAsync(_gcs.Options() with { CredentialsFile = "/nonexistent/key.json" }));
        Assert.Equal(StorageErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("/nonexistent/key.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_options_and_paths_are_rejected()
    {
        var bad = await Assert.ThrowsAsync<StorageException>(() => GcsStorage.OpenAsync(_gcs.Options() with { ChunkSize = 300 * 1024 }));
        Assert.Equal(StorageErrorKind.InvalidArgument, bad.Kind);
        await using var storage = await OpenAsync("paths");
        foreach (var path in new[] { "", "/abs", "a/../b", "a//b", "trailing/", "back\\slash" })
        {
            var e = await Assert.ThrowsAsync<StorageException>(async () => await storage.WriteAllAsync(path, RandomBytes(1)));
            Assert.Equal(StorageErrorKind.InvalidArgument, e.Kind);
        }
    }

    private async Task<IExternalStorage> OpenAsync(string prefix, Func<GcsOptions, GcsOptions>? configure = null)
    {
        var options = _gcs.Options(prefix) with { ChunkSize = ChunkSize };
        return await GcsStorage.OpenAsync(configure is null ? options : configure(options));
    }
}
