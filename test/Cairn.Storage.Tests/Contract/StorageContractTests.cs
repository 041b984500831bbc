namespace Cairn.Storage.Tests.Contract;

/// <summary>
/// The behaviour every backend must show. A derived class supplies a fresh storage per call of
/// <see cref="OpenStorageAsync"/> (under the context's unique prefix) and inherits every test.
/// </summary>
public abstract class StorageContractTests
{
    /// <summary>Part size the tests ask for: S3's minimum.</summary>
    protected const int PartSize = 5 * 1024 * 1024;

    /// <summary>Guards every test against a hang; not a timing assertion.</summary>
    protected static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Size of the large object: more than three parts, not a multiple of the part size.</summary>
    protected virtual int LargeObjectSize => (3 * PartSize) + 777_777;

    /// <summary>Opens a storage whose base is under <paramref name="context"/>'s prefix.</summary>
    protected abstract ValueTask<IExternalStorage> OpenStorageAsync(StorageContractContext context, CancellationToken cancellationToken);

    /// <summary>Opens a fresh storage with a new unique prefix.</summary>
    protected ValueTask<IExternalStorage> OpenAsync(int listPageSize = 1000, CancellationToken cancellationToken = default) =>
        OpenStorageAsync(new StorageContractContext($"t-{Guid.NewGuid():N}", listPageSize, PartSize), cancellationToken);

    /// <summary>A token that cancels after <see cref="TestTimeout"/>.</summary>
    protected static CancellationToken Timeout() => new CancellationTokenSource(TestTimeout).Token;

    [Fact]
    public async Task Small_object_round_trips_through_a_writer_and_a_reader()
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(cancellationToken: ct);
        var data = TestData.Bytes(10_000, seed: 1);
        await TestData.WriteInChunksAsync(storage, "small.bin", data, chunk: 333, ct);

        await using var reader = await storage.OpenReadAsync("small.bin", cancellationToken: ct);
        var (sha, length) = await TestData.HashStreamAsync(reader, ct);
        Assert.Equal(data.Length, length);
        Assert.Equal(TestData.Sha256(data), sha);
    }

    [Fact]
    public async Task Large_object_of_several_parts_round_trips()
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(cancellationToken: ct);
        var data = TestData.Bytes(LargeObjectSize, seed: 2);
        await TestData.WriteInChunksAsync(storage, "big/large.bin", data, cancellationToken: ct);

        await using (var reader = await storage.OpenReadAsync("big/large.bin", cancellationToken: ct))
        {
            var (sha, length) = await TestData.HashStreamAsync(reader, ct);
            Assert.Equal(data.Length, length);
            Assert.Equal(TestData.Sha256(data), sha);
        }
        var listed = await ListAsync(storage, "", ct);
        Assert.Equal(data.Length, Assert.Single(listed, o => o.Path == "big/large.bin").Size);
    }

    [Fact]
    public async Task Empty_object_round_trips()
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(cancellationToken: ct);
        await TestData.WriteInChunksAsync(storage, "empty", ReadOnlyMemory<byte>.Empty, cancellationToken: ct);

        Assert.True(await storage.ExistsAsync("empty", ct));
        Assert.Empty(await storage.ReadAllAsync("empty", ct));
        await using var reader = await storage.OpenReadAsync("empty", cancellationToken: ct);
        Assert.Empty(await TestData.ReadStreamAsync(reader, ct));
    }

    [Fact]
    public async Task Ranged_reads_return_the_requested_bytes_and_clip_at_the_end()
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(cancellationToken: ct);
        var data = TestData.Bytes(100_000, seed: 3);
        await storage.WriteAllAsync("ranged.bin", data, ct);

        async Task<byte[]> Range(long offset, long? length)
        {
            await using var reader = await storage.OpenReadAsync("ranged.bin", offset, length, ct);
            return await TestData.ReadStreamAsync(reader, ct);
        }

        Assert.Equal(data.AsSpan(0, 1000).ToArray(), await Range(0, 1000));                 // start
        Assert.Equal(data.AsSpan(40_000, 12_345).ToArray(), await Range(40_000, 12_345));   // middle
        Assert.Equal(data.AsSpan(99_000).ToArray(), await Range(99_000, 1000));             // exactly the end
        Assert.Equal(data.AsSpan(99_500).ToArray(), await Range(99_500, 5000));             // runs past the end: clipped
        Assert.Equal(data.AsSpan(70_000).ToArray(), await Range(70_000, null));             // open-ended
        Assert.Empty(await Range(100_000, 10));                                             // starts at the end
        Assert.Empty(await Range(200_000, null));                                           // starts past the end
        Assert.Empty(await Range(5, 0));                                                    // zero length
    }

    [Fact]
    public async Task Ranged_read_across_part_boundaries_of_a_large_object()
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(cancellationToken: ct);
        var data = TestData.Bytes(LargeObjectSize, seed: 4);
        await TestData.WriteInChunksAsync(storage, "parts.bin", data, cancellationToken: ct);

        var offset = PartSize - 1000;
        var length = PartSize + 2000;
        await using var reader = await storage.OpenReadAsync("parts.bin", offset, length, ct);
        var (sha, read) = await TestData.HashStreamAsync(reader, ct);
        Assert.Equal(length, read);
        Assert.Equal(TestData.Sha256(data.AsSpan(offset, length)), sha);
    }

    [Fact]
    public async Task Write_all_then_read_all_returns_the_same_bytes_and_overwrites_replace()
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(cancellationToken: ct);
        var first = TestData.Bytes(4096, seed: 5);
        var second = TestData.Bytes(1234, seed: 6);
        await storage.WriteAllAsync("meta/backupmeta", first, ct);
        Assert.Equal(first, await storage.ReadAllAsync("meta/backupmeta", ct));

        await storage.WriteAllAsync("meta/backupmeta", second, ct);
        Assert.Equal(second, await storage.ReadAllAsync("meta/backupmeta", ct));
        var listed = await ListAsync(storage, "", ct);
        Assert.Equal(second.Length, Assert.Single(listed).Size);
    }

    [Fact]
    public async Task Exists_is_true_only_for_written_objects()
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(cancellationToken: ct);
        await storage.WriteAllAsync("here/a.txt", "a"u8.ToArray(), ct);

        Assert.True(await storage.ExistsAsync("here/a.txt", ct));
        Assert.False(await storage.ExistsAsync("here/b.txt", ct));
        Assert.False(await storage.ExistsAsync("nowhere/a.txt", ct));
        Assert.False(await storage.ExistsAsync("here", ct)); // a "directory" is not an object
    }

    [Fact]
    public async Task Delete_removes_the_object_and_deleting_a_missing_one_succeeds()
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(cancellationToken: ct);
        await storage.WriteAllAsync("doomed.txt", "x"u8.ToArray(), ct);
        await storage.WriteAllAsync("kept.txt", "y"u8.ToArray(), ct);

        await storage.DeleteAsync("doomed.txt", ct);
        Assert.False(await storage.ExistsAsync("doomed.txt", ct));
        Assert.True(await storage.ExistsAsync("kept.txt", ct));
        await storage.DeleteAsync("doomed.txt", ct);
        await storage.DeleteAsync("never/was.txt", ct);
        Assert.Equal(["kept.txt"], (await ListAsync(storage, "", ct)).Select(o => o.Path));
    }

    [Fact]
    public async Task Listing_spans_several_pages_with_sizes_and_relative_paths()
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(listPageSize: 7, ct);
        var expected = new Dictionary<string, long>();
        for (var i = 0; i < 25; i++)
        {
            var path = i % 3 == 0 ? $"sub/deep/f{i:D2}.sst" : $"sub/f{i:D2}.sst";
            await storage.WriteAllAsync(path, TestData.Bytes(i * 10, seed: i), ct);
            expected[path] = i * 10;
        }
        await storage.WriteAllAsync("other/x.sst", TestData.Bytes(5, seed: 99), ct);
        await storage.WriteAllAsync("subway.sst", TestData.Bytes(6, seed: 98), ct);

        var all = await ListAsync(storage, "", ct);
        Assert.Equal(27, all.Count);
        Assert.Equal(all.Count, all.Select(o => o.Path).Distinct().Count());

        var sub = await ListAsync(storage, "sub", ct);
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), sub.Select(o => new KeyValuePair<string, long>(o.Path, o.Size)).OrderBy(p => p.Key, StringComparer.Ordinal));

        var deep = await ListAsync(storage, "sub/deep/", ct);
        Assert.Equal(9, deep.Count);
        Assert.All(deep, o => Assert.StartsWith("sub/deep/", o.Path, StringComparison.Ordinal));
        Assert.Empty(await ListAsync(storage, "missing", ct));
    }

    [Fact]
    public async Task Listing_an_empty_storage_yields_nothing()
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(cancellationToken: ct);
        Assert.Empty(await ListAsync(storage, "", ct));
    }

    [Fact]
    public async Task Missing_object_fails_as_not_found_and_not_transient()
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(cancellationToken: ct);

        var read = await Assert.ThrowsAsync<StorageException>(async () => await storage.ReadAllAsync("missing.bin", ct));
        Assert.Equal(StorageErrorKind.NotFound, read.Kind);
        Assert.False(read.IsTransient);

        var open = await Assert.ThrowsAsync<StorageException>(async () =>
        {
            await using var s = await storage.OpenReadAsync("missing.bin", 10, 100, ct);
            await TestData.ReadStreamAsync(s, ct);
        });
        Assert.Equal(StorageErrorKind.NotFound, open.Kind);
        Assert.False(open.IsTransient);
        Assert.Contains("missing.bin", open.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_aborted_writer_leaves_no_object()
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(cancellationToken: ct);
        var data = TestData.Bytes((2 * PartSize) + 100, seed: 7);
        await using (var writer = await storage.CreateAsync("aborted/big.bin", ct))
        {
            await writer.WriteAsync(data, ct); // two parts shipped, never completed
        }

        await using (var writer = await storage.CreateAsync("aborted/small.bin", ct))
        {
            await writer.WriteAsync(data.AsMemory(0, 100), ct);
        }

        Assert.False(await storage.ExistsAsync("aborted/big.bin", ct));
        Assert.False(await storage.ExistsAsync("aborted/small.bin", ct));
        Assert.Empty(await ListAsync(storage, "", ct));
    }

    [Fact]
    public async Task Nested_paths_unicode_and_spaces_round_trip_and_list_as_written()
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(cancellationToken: ct);
        string[] paths = ["a/b/c/d/e.sst", "with space/file name.sst", "ünïcödé/数据/файл.sst", "plus+sign/pct%41.sst", "emoji/🙂.bin"];
        for (var i = 0; i < paths.Length; i++)
        {
            await storage.WriteAllAsync(paths[i], TestData.Bytes(100 + i, seed: 10 + i), ct);
        }

        for (var i = 0; i < paths.Length; i++)
        {
            Assert.True(await storage.ExistsAsync(paths[i], ct), paths[i]);
            Assert.Equal(TestData.Bytes(100 + i, seed: 10 + i), await storage.ReadAllAsync(paths[i], ct));
        }
        Assert.Equal(paths.Order(StringComparer.Ordinal), (await ListAsync(storage, "", ct)).Select(o => o.Path).Order(StringComparer.Ordinal));
        Assert.Equal(["with space/file name.sst"], (await ListAsync(storage, "with space", ct)).Select(o => o.Path));
    }

    [Theory]
    [InlineData("/absolute")]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("a//b")]
    [InlineData("trailing/")]
    [InlineData("back\\slash")]
    [InlineData("")]
    [InlineData("./dot")]
    public async Task Unsafe_paths_are_rejected_with_a_clear_error(string path)
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(cancellationToken: ct);
        var write = await Assert.ThrowsAsync<StorageException>(async () => await storage.WriteAllAsync(path, "x"u8.ToArray(), ct));
        Assert.Equal(StorageErrorKind.InvalidArgument, write.Kind);
        Assert.False(write.IsTransient);
        Assert.Contains("invalid storage path", write.Message, StringComparison.Ordinal);
        var read = await Assert.ThrowsAsync<StorageException>(async () => await storage.ReadAllAsync(path, ct));
        Assert.Equal(StorageErrorKind.InvalidArgument, read.Kind);
    }

    [Fact]
    public async Task Uri_carries_no_query_and_no_secret()
    {
        var ct = Timeout();
        await using var storage = await OpenAsync(cancellationToken: ct);
        Assert.DoesNotContain("?", storage.Uri, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", storage.Uri, StringComparison.OrdinalIgnoreCase);
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, storage.Uri + storage, StringComparison.Ordinal);
        }
    }

    /// <summary>Secrets the derived class used, which must never appear in what the library prints.</summary>
    protected virtual IEnumerable<string> Secrets => [];

    /// <summary>Collects a listing.</summary>
    protected static async Task<List<StorageObject>> ListAsync(IExternalStorage storage, string prefix, CancellationToken cancellationToken)
    {
        var result = new List<StorageObject>();
        await foreach (var item in storage.ListAsync(prefix, cancellationToken))
        {
            result.Add(item);
        }

        return result;
    }
}
