using System.Security.Cryptography;
using Cairn.Storage.Azure;
using static Cairn.Storage.Tests.AzureGcsTestHelpers;

namespace Cairn.Storage.Tests;

/// <summary>The Azure Blob backend against azurite (which checks Shared Key and SAS signatures).</summary>
public sealed class AzureBlobStorageTests : IClassFixture<AzuriteFixture>
{
    private const int BlockSize = 256 * 1024;
    private readonly AzuriteFixture _azurite;

    public AzureBlobStorageTests(AzuriteFixture azurite) => _azurite = azurite;

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
        await using var stream = await storage.OpenReadAsync("nothing");
        Assert.Equal(-1, stream.ReadByte());
    }

    [Fact]
    public async Task Large_object_is_staged_in_blocks_and_round_trips()
    {
        await using var storage = await OpenAsync("large");
        var data = RandomBytes(3 * BlockSize + 12345); // four blocks, the last one partial
        await using (var writer = await storage.CreateAsync("sst/1_2_3.sst"))
        {
            // Odd piece sizes so that writes straddle block boundaries.
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

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Blocks_uploaded_side_by_side_commit_in_order(int concurrency)
    {
        await using var storage = await OpenAsync($"concurrent{concurrency}", o => o with { UploadConcurrency = concurrency });
        var data = RandomBytes(10 * BlockSize + 99);
        await using (var writer = await storage.CreateAsync("ten"))
        {
            for (var offset = 0; offset < data.Length; offset += 100_000)
            {
                await writer.WriteAsync(data.AsMemory(offset, Math.Min(100_000, data.Length - offset)));
            }
            await writer.CompleteAsync();
        }
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await storage.ReadAllAsync("ten")));

        // Abandoned with uploads possibly still running: nothing becomes visible.
        await using (var writer = await storage.CreateAsync("abandoned"))
        {
            await writer.WriteAsync(data);
        }
        Assert.False(await storage.ExistsAsync("abandoned"));
    }

    [Fact]
    public async Task Object_of_exactly_one_block_round_trips()
    {
        await using var storage = await OpenAsync("oneblock");
        var data = RandomBytes(BlockSize);
        await using (var writer = await storage.CreateAsync("one"))
        {
            await writer.WriteAsync(data);
            await writer.CompleteAsync();
        }
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await storage.ReadAllAsync("one")));
    }

    [Fact]
    public async Task Ranged_reads_return_the_requested_bytes()
    {
        await using var storage = await OpenAsync("ranges");
        var data = RandomBytes(5000);
        await storage.WriteAllAsync("r", data);

        Assert.Equal(data[100..200], await ReadRangeAsync(storage, "r", 100, 100));
        Assert.Equal(data[4990..], await ReadRangeAsync(storage, "r", 4990, null));
        Assert.Equal(data[4990..], await ReadRangeAsync(storage, "r", 4990, 500)); // clipped at the end
        Assert.Equal(data, await ReadRangeAsync(storage, "r", 0, null));
        Assert.Empty(await ReadRangeAsync(storage, "r", 5000, null)); // at the end: empty, not an error
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
        await storage.DeleteAsync("a/b"); // deleting a missing blob is fine
    }

    [Fact]
    public async Task Missing_object_is_not_found_with_a_clear_message()
    {
        await using var storage = await OpenAsync("missing");
        var read = await Assert.ThrowsAsync<StorageException>(async () => await storage.ReadAllAsync("no/such.sst"));
        Assert.Equal(StorageErrorKind.NotFound, read.Kind);
        Assert.False(read.IsTransient);
        Assert.Contains("no/such.sst", read.Message, StringComparison.Ordinal);
        Assert.Contains("BlobNotFound", read.Message, StringComparison.Ordinal);
        Assert.Contains("read", read.Message, StringComparison.Ordinal);

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
        var all = await ListAsync(storage);
        Assert.Equal(Sorted(expected), Sorted(all));
        var dir = await ListAsync(storage, "dir");
        Assert.Equal(Sorted(expected.Where(o => o.Path.StartsWith("dir/", StringComparison.Ordinal))), Sorted(dir));
        Assert.Equal(14, dir.Count);
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
        Assert.Equal("azure://" + _azurite.Container + "/iso/inner/most", inner.Uri);
    }

    [Fact]
    public async Task Aborted_writer_leaves_nothing()
    {
        await using var storage = await OpenAsync("abort");
        await using (var writer = await storage.CreateAsync("partial.sst"))
        {
            await writer.WriteAsync(RandomBytes(3 * BlockSize + 1)); // three blocks staged, one byte buffered
        }
        Assert.False(await storage.ExistsAsync("partial.sst"));
        Assert.Empty(await ListAsync(storage));

        // Aborting an overwrite leaves the old content in place.
        var old = RandomBytes(100);
        await storage.WriteAllAsync("kept", old);
        await using (var writer = await storage.CreateAsync("kept"))
        {
            await writer.WriteAsync(RandomBytes(2 * BlockSize + 5));
        }
        Assert.Equal(old, await storage.ReadAllAsync("kept"));
    }

    [Fact]
    public async Task Interleaved_writers_of_one_name_never_publish_a_mixture()
    {
        await using var storage = await OpenAsync("interleave");
        var first = RandomBytes(3 * BlockSize + 10);
        var second = RandomBytes(3 * BlockSize + 20);
        await using var a = await storage.CreateAsync("same");
        await using var b = await storage.CreateAsync("same");
        for (var offset = 0; offset < second.Length; offset += BlockSize)
        {
            // Block by block, both writers stage under the same blob before either commits.
            await a.WriteAsync(first.AsMemory(offset, Math.Min(BlockSize, first.Length - offset)));
            await b.WriteAsync(second.AsMemory(offset, Math.Min(BlockSize, second.Length - offset)));
        }
        await a.CompleteAsync();
        Assert.Equal(SHA256.HashData(first), SHA256.HashData(await storage.ReadAllAsync("same")));

        // Committing a block list discards every other uncommitted block of the blob, so the slower writer
        // fails cleanly instead of publishing a mixture, and the first writer's object stays intact.
        var e = await Assert.ThrowsAsync<StorageException>(async () => await b.CompleteAsync());
        Assert.Contains("InvalidBlockList", e.Message, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
        Assert.Equal(SHA256.HashData(first), SHA256.HashData(await storage.ReadAllAsync("same")));
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
    public async Task Wrong_key_is_access_denied_without_the_key_in_the_message()
    {
        var wrongKey = Convert.ToBase64String(RandomBytes(64));
        var e = await Assert.ThrowsAsync<StorageException>(() => AzureBlobStorage.OpenAsync(_azurite.Options() with { AccountKey = wrongKey }));
        Assert.Equal(StorageErrorKind.AccessDenied, e.Kind);
        Assert.False(e.IsTransient);
        Assert.Contains("403", e.Message, StringComparison.Ordinal);
        Assert.Matches("Authori[sz]ationFailure|AuthenticationFailed", e.Message);
        Assert.DoesNotContain(wrongKey, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteFixture.AccountKey, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Account_sas_works_and_a_forged_one_is_refused()
    {
        var sas = AzuriteFixture.AccountSas();
        var options = _azurite.Options("sas") with { AccountKey = null, SasToken = "?" + sas };
        await using (var storage = await AzureBlobStorage.OpenAsync(options))
        {
            var data = RandomBytes(3 * BlockSize + 7);
            await using (var writer = await storage.CreateAsync("via-sas"))
            {
                await writer.WriteAsync(data);
                await writer.CompleteAsync();
            }
            Assert.Equal(SHA256.HashData(data), SHA256.HashData(await storage.ReadAllAsync("via-sas")));
            Assert.Equal([new StorageObject("via-sas", data.Length)], await ListAsync(storage));
            await storage.DeleteAsync("via-sas");
            Assert.False(await storage.ExistsAsync("via-sas"));
        }

        var forged = AzuriteFixture.AccountSas(key: Convert.ToBase64String(RandomBytes(64)));
        var e = await Assert.ThrowsAsync<StorageException>(() => AzureBlobStorage.OpenAsync(options with { SasToken = forged }));
        Assert.Equal(StorageErrorKind.AccessDenied, e.Kind);
        var signature = forged[(forged.IndexOf("sig=", StringComparison.Ordinal) + 4)..];
        Assert.DoesNotContain(signature, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.UnescapeDataString(signature), e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_only_sas_cannot_write()
    {
        var options = _azurite.Options("ro") with { AccountKey = null, SasToken = AzuriteFixture.AccountSas("rl") };
        await using var storage = await AzureBlobStorage.OpenAsync(options);
        var e = await Assert.ThrowsAsync<StorageException>(async () => await storage.WriteAllAsync("x", RandomBytes(5)));
        Assert.Equal(StorageErrorKind.AccessDenied, e.Kind);
        Assert.Contains("write of 'x'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_container_fails_at_open()
    {
        var e = await Assert.ThrowsAsync<StorageException>(() => AzureBlobStorage.OpenAsync(_azurite.Options() with { Container = "no-such-container" }));
        Assert.Equal(StorageErrorKind.NotFound, e.Kind);
        Assert.Contains("no-such-container", e.Message, StringComparison.Ordinal);
        Assert.Contains("ContainerNotFound", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_endpoint_is_a_transient_network_error()
    {
        var e = await Assert.ThrowsAsync<StorageException>(() => AzureBlobStorage.OpenAsync(_azurite.Options(endpoint: "http://127.0.0.1:1/devstoreaccount1")));
        Assert.Equal(StorageErrorKind.Network, e.Kind);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task Access_tier_is_applied_to_new_blobs()
    {
        await using var storage = await OpenAsync("tier", o => o with { AccessTier = "Cool" });
        await storage.WriteAllAsync("small", RandomBytes(10));
        await using (var writer = await storage.CreateAsync("large"))
        {
            await writer.WriteAsync(RandomBytes(2 * BlockSize + 1));
            await writer.CompleteAsync();
        }
        Assert.Equal("Cool", await ((AzureBlobStorage)storage).GetAccessTierAsync("small"));
        Assert.Equal("Cool", await ((AzureBlobStorage)storage).GetAccessTierAsync("large"));
    }

    [Fact]
    public async Task Connection_string_names_endpoint_and_credentials()
    {
        var connectionString = $"DefaultEndpointsProtocol=http;AccountName={AzuriteFixture.AccountName};AccountKey={AzuriteFixture.AccountKey};BlobEndpoint={_azurite.Endpoint};";
        var options = new AzureBlobOptions { Container = _azurite.Container, Prefix = "connstr", ConnectionString = connectionString };
        Assert.DoesNotContain(AzuriteFixture.AccountKey, options.ToString(), StringComparison.Ordinal);
        await using var storage = await AzureBlobStorage.OpenAsync(options);
        var data = RandomBytes(2 * BlockSize + 3);
        await storage.WriteAllAsync("x", data);
        Assert.Equal(data, await storage.ReadAllAsync("x"));

        var broken = await Assert.ThrowsAsync<StorageException>(() => AzureBlobStorage.OpenAsync(options with { ConnectionString = "AccountKey=" + AzuriteFixture.AccountKey }));
        Assert.Equal(StorageErrorKind.InvalidArgument, broken.Kind);
        Assert.DoesNotContain(AzuriteFixture.AccountKey, broken.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_print_without_secrets()
    {
        var options = _azurite.Options() with { SasToken = "sv=x&sig=SECRETSIG" };
        var text = options.ToString();
        Assert.DoesNotContain(AzuriteFixture.AccountKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETSIG", text, StringComparison.Ordinal);
        await using var storage = await AzureBlobStorage.OpenAsync(_azurite.Options());
        Assert.DoesNotContain(AzuriteFixture.AccountKey, storage.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_paths_are_rejected()
    {
        await using var storage = await OpenAsync("paths");
        foreach (var bad in new[] { "", "/abs", "a/../b", "a//b", "trailing/", "back\\slash" })
        {
            var e = await Assert.ThrowsAsync<StorageException>(async () => await storage.WriteAllAsync(bad, RandomBytes(1)));
            Assert.Equal(StorageErrorKind.InvalidArgument, e.Kind);
        }
    }

    private async Task<IExternalStorage> OpenAsync(string prefix, Func<AzureBlobOptions, AzureBlobOptions>? configure = null)
    {
        var options = _azurite.Options(prefix) with { BlockSize = BlockSize };
        return await AzureBlobStorage.OpenAsync(configure is null ? options : configure(options));
    }
}
