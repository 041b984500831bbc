using System.Text.RegularExpressions;
using Cairn.Common.Mvcc;
using Cairn.Rpc.Backup;
using Cairn.Rpc.Kvrpcpb;
using static Cairn.Store.Tests.Backup.BackupFixture;

namespace Cairn.Store.Tests.Backup;

/// <summary>/backup.Backup/backup on one in-process store writing to a local folder.</summary>
public sealed class BackupServiceTests : IDisposable
{
    private readonly TempDirectory _target = new("backup-target");

    public void Dispose() => _target.Dispose();

    [Fact]
    public async Task A_full_backup_writes_the_versions_visible_at_end_version_as_data_keys_with_their_checksums()
    {
        await using var store = await TestStore.StartAsync();
        var longValue = new string('L', 300);
        var oldCommit = await store.PutAsync(("bk/a", "old"), ("bk/long", "short-before"));
        var commitA = await store.PutAsync(("bk/a", "new"), ("bk/b", "b1"), ("bk/long", longValue));
        await store.PutAsync(("bk/gone", "x"));
        await DeleteAsync(store, "bk/gone");
        await store.PutAsync(("other", "outside the range"));
        var backupTs = store.Ts.Next();
        await store.PutAsync(("bk/a", "after the backup ts"), ("bk/late", "late"));

        var responses = await BackupAsync(store.Channel, Request(_target.Path, backupTs, "bk/", "bk0"));

        var response = Assert.Single(responses);
        Assert.Null(response.Error);
        Assert.Equal("bk/", response.StartKey.ToStringUtf8());
        Assert.Equal("bk0", response.EndKey.ToStringUtf8());
        Assert.Equal(["default", "write"], response.Files.Select(f => f.Cf));
        var region = store.RegionFor(MvccKey.EncodeKey(TestStore.Bytes("bk/a")));
        foreach (var file in response.Files)
        {
            Assert.Matches(new Regex($"^{store.Node.StoreId}_{region.Id}_{region.RegionEpoch.Version}_{Hex("bk/")}_[0-9]{{13}}_{file.Cf}\\.sst$"), file.Name);
            Assert.Equal("bk/", file.StartKey.ToStringUtf8());
            Assert.Equal("bk0", file.EndKey.ToStringUtf8());
            Assert.Equal(0UL, file.StartVersion);
            Assert.Equal(backupTs, file.EndVersion);
        }

        var defaultEntries = await ReadCheckedAsync(_target.Path, response.Files[0]);
        var (defaultKey, defaultTs) = DecodeDataKey(Assert.Single(defaultEntries).Key);
        Assert.Equal("bk/long", defaultKey);
        Assert.Equal(longValue, System.Text.Encoding.UTF8.GetString(defaultEntries[0].Value));

        var writeEntries = await ReadCheckedAsync(_target.Path, response.Files[1]);
        var written = writeEntries.Select(e => (DecodeDataKey(e.Key), WriteRecord.Decode(e.Value))).ToList();
        Assert.Equal(["bk/a", "bk/b", "bk/long"], written.Select(w => w.Item1.Key));
        Assert.All(written, w => Assert.Equal(commitA, w.Item1.Ts));
        Assert.All(written, w => Assert.Equal(WriteType.Put, w.Item2.Type));
        Assert.Equal(defaultTs, written[2].Item2.StartTs);
        Assert.True(oldCommit < commitA);

        Assert.Equal(Checksum([(TestStore.Bytes("bk/long"), TestStore.Bytes(longValue))]), (response.Files[0].Crc64Xor, response.Files[0].TotalKvs, response.Files[0].TotalBytes));
        Assert.Equal(Checksum([(TestStore.Bytes("bk/a"), TestStore.Bytes("new")), (TestStore.Bytes("bk/b"), TestStore.Bytes("b1"))]),
            (response.Files[1].Crc64Xor, response.Files[1].TotalKvs, response.Files[1].TotalBytes));
    }

    [Fact]
    public async Task Short_values_give_only_a_write_file()
    {
        await using var store = await TestStore.StartAsync();
        await store.PutAsync(("s/1", "one"), ("s/2", new string('x', 64)));
        var responses = await BackupAsync(store.Channel, Request(_target.Path, store.Ts.Next()));

        var file = Assert.Single(Assert.Single(responses).Files);
        Assert.Equal("write", file.Cf);
        Assert.Equal(2UL, file.TotalKvs);
        Assert.Equal(2, (await ReadCheckedAsync(_target.Path, file)).Count);
        Assert.Matches($"_{Hex("")}_", file.Name);
    }

    [Fact]
    public async Task An_empty_range_is_answered_without_files()
    {
        await using var store = await TestStore.StartAsync();
        await store.PutAsync(("e/1", "one"));
        var response = Assert.Single(await BackupAsync(store.Channel, Request(_target.Path, store.Ts.Next(), "f/", "g/")));
        Assert.Null(response.Error);
        Assert.Empty(response.Files);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_target.Path));
    }

    [Fact]
    public async Task A_lock_at_or_below_end_version_answers_its_piece_with_locked_and_a_newer_lock_blocks_nothing()
    {
        await using var store = await TestStore.StartAsync();
        await store.PutAsync(("a/committed", "1"), ("x/committed", "2"));
        await SplitAsync(store, "m");
        var blockingTs = store.Ts.Next();
        Assert.Empty((await store.PrewriteAsync(blockingTs, "a/locked", 60_000, (Op.Put, "a/locked", TestStore.Bytes(new string('v', 200))))).Errors);
        var backupTs = store.Ts.Next();
        Assert.Empty((await store.PrewriteAsync(store.Ts.Next(), "x/locked-later", 60_000, (Op.Put, "x/locked-later", TestStore.Bytes("v")))).Errors);

        var responses = await BackupAsync(store.Channel, Request(_target.Path, backupTs));

        Assert.Equal(2, responses.Count);
        var left = Assert.Single(responses, r => r.EndKey.ToStringUtf8() == "m");
        Assert.Equal("", left.StartKey.ToStringUtf8());
        Assert.Equal(Error.DetailOneofCase.KvError, left.Error.DetailCase);
        Assert.Equal("a/locked", left.Error.KvError.Locked.Key.ToStringUtf8());
        Assert.Equal(blockingTs, left.Error.KvError.Locked.LockVersion);
        Assert.Empty(left.Files);

        var right = Assert.Single(responses, r => r.StartKey.ToStringUtf8() == "m");
        Assert.Null(right.Error);
        var file = Assert.Single(right.Files);
        Assert.Equal(1UL, file.TotalKvs);
        Assert.Equal([file.Name], Directory.EnumerateFiles(_target.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_full_backup_leaves_out_deletes_and_rollbacks_and_a_delta_has_every_put_and_delete_in_its_window()
    {
        await using var store = await TestStore.StartAsync();
        await store.PutAsync(("d/kept", "v1"), ("d/removed", "r1"));
        var since = store.Ts.Next();
        var second = await store.PutAsync(("d/kept", "v2"));
        var third = await store.PutAsync(("d/kept", "v3"));
        await DeleteAsync(store, "d/removed");
        var rolledBack = store.Ts.Next();
        Assert.Empty((await store.PrewriteAsync(rolledBack, "d/rolled", 3000, (Op.Put, "d/rolled", TestStore.Bytes("never")))).Errors);
        var rollback = await store.Channel.Tikv.KvBatchRollbackAsync(new BatchRollbackRequest { Context = store.Ctx("d/rolled"), StartVersion = rolledBack, Keys = { TestStore.B("d/rolled") } }).ResponseAsync;
        Assert.Null(rollback.Error);
        var until = store.Ts.Next();

        using var full = new TempDirectory("backup-full");
        var fullFile = Assert.Single(Assert.Single(await BackupAsync(store.Channel, Request(full.Path, until))).Files);
        var fullEntries = (await ReadCheckedAsync(full.Path, fullFile)).Select(e => (DecodeDataKey(e.Key), WriteRecord.Decode(e.Value))).ToList();
        Assert.Equal([("d/kept", third)], fullEntries.Select(e => (e.Item1.Key, e.Item1.Ts)));

        var delta = Assert.Single(await BackupAsync(store.Channel, Request(_target.Path, until, startVersion: since)));
        Assert.Null(delta.Error);
        var deltaFile = Assert.Single(delta.Files);
        Assert.Equal(since, deltaFile.StartVersion);
        var deltaEntries = (await ReadCheckedAsync(_target.Path, deltaFile)).Select(e => (DecodeDataKey(e.Key), WriteRecord.Decode(e.Value).Type)).ToList();
        Assert.Equal(["d/kept", "d/kept", "d/removed"], deltaEntries.Select(e => e.Item1.Key));
        Assert.Equal([third, second], deltaEntries.Take(2).Select(e => e.Item1.Ts));
        Assert.Equal([WriteType.Put, WriteType.Put, WriteType.Delete], deltaEntries.Select(e => e.Type));
        Assert.Equal(3UL, deltaFile.TotalKvs);
    }

    [Fact]
    public async Task A_small_sst_max_size_cuts_contiguous_file_pairs_that_cover_the_piece()
    {
        await using var store = await TestStore.StartAsync(configure: o => o with { SstMaxSize = 2048 });
        var keys = Enumerable.Range(0, 120).Select(i => $"cut/{i:D4}").ToList();
        foreach (var chunk in keys.Chunk(40))
        {
            await store.PutAsync([.. chunk.Select((k, i) => (k, i % 2 == 0 ? new string('d', 150) : "short"))]);
        }

        var response = Assert.Single(await BackupAsync(store.Channel, Request(_target.Path, store.Ts.Next(), "cut/", "cut0")));
        Assert.Null(response.Error);
        var pairs = response.Files.GroupBy(f => f.StartKey.ToStringUtf8()).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        Assert.True(pairs.Count >= 5, $"expected several file pairs, got {pairs.Count}");
        Assert.Equal("cut/", pairs[0].Key);
        for (var i = 0; i < pairs.Count; i++)
        {
            var end = Assert.Single(pairs[i].Select(f => f.EndKey.ToStringUtf8()).Distinct());
            Assert.Equal(i + 1 < pairs.Count ? pairs[i + 1].Key : "cut0", end);
            foreach (var file in pairs[i])
            {
                foreach (var (key, _) in await ReadCheckedAsync(_target.Path, file))
                {
                    var user = DecodeDataKey(key).Key;
                    Assert.True(string.CompareOrdinal(user, pairs[i].Key) >= 0 && string.CompareOrdinal(user, end) < 0, $"{user} outside [{pairs[i].Key}, {end})");
                }
            }
        }

        Assert.Equal(response.Files.Count, response.Files.Select(f => f.Name).Distinct().Count());
        Assert.Equal(120UL, (ulong)response.Files.Sum(f => (long)f.TotalKvs));
    }

    [Fact]
    public async Task A_raw_backup_holds_the_raw_keys_and_values_as_stored()
    {
        await using var store = await TestStore.StartAsync();
        var pairs = Enumerable.Range(0, 50).Select(i => ($"r/{i:D3}", $"value-{i}-{new string('x', i)}")).ToList();
        var put = new RawBatchPutRequest { Context = store.RawCtx("r/") };
        put.Pairs.AddRange(pairs.Select(p => new KvPair { Key = TestStore.B(p.Item1), Value = TestStore.B(p.Item2) }));
        Assert.Equal("", (await store.Channel.Tikv.RawBatchPutAsync(put).ResponseAsync).Error);
        var region = store.RegionFor(TestStore.Bytes("r/"));

        var request = Request(_target.Path, 0, "r/", "r0");
        request.IsRawKv = true;
        var file = Assert.Single(Assert.Single(await BackupAsync(store.Channel, request)).Files);
        Assert.Equal("default", file.Cf);
        Assert.Matches($"^{store.Node.StoreId}_{region.Id}_{region.RegionEpoch.Version}_{Hex("r/")}_[0-9]+_default\\.sst$", file.Name);
        var entries = await ReadCheckedAsync(_target.Path, file);
        Assert.Equal(pairs.Select(p => "z" + p.Item1), entries.Select(e => System.Text.Encoding.UTF8.GetString(e.Key)));
        Assert.Equal(pairs.Select(p => p.Item2), entries.Select(e => System.Text.Encoding.UTF8.GetString(e.Value)));
        Assert.Equal(Checksum(pairs.Select(p => (TestStore.Bytes(p.Item1), TestStore.Bytes(p.Item2)))), (file.Crc64Xor, file.TotalKvs, file.TotalBytes));

        using var unbounded = new TempDirectory("backup-raw");
        var whole = Request(unbounded.Path, 0);
        whole.IsRawKv = true;
        var wholeFile = Assert.Single(Assert.Single(await BackupAsync(store.Channel, whole)).Files);
        Assert.Equal($"{store.Node.StoreId}_{region.Id}_{region.RegionEpoch.Version}_default.sst", wholeFile.Name);
    }

    [Fact]
    public async Task A_region_being_moved_answers_its_piece_with_server_is_busy()
    {
        await using var store = await TestStore.StartAsync();
        await store.PutAsync(("mv/a", "1"));
        var region = store.RegionFor(MvccKey.EncodeKey(TestStore.Bytes("mv/a")));
        Assert.True(store.Node.Regions.Freeze(region.Id, true));

        var busy = Assert.Single(await BackupAsync(store.Channel, Request(_target.Path, store.Ts.Next())));
        Assert.Equal(Error.DetailOneofCase.RegionError, busy.Error.DetailCase);
        Assert.NotNull(busy.Error.RegionError.ServerIsBusy);
        Assert.Empty(busy.Files);

        Assert.True(store.Node.Regions.Freeze(region.Id, false));
        var done = Assert.Single(await BackupAsync(store.Channel, Request(_target.Path, store.Ts.Next())));
        Assert.Null(done.Error);
        Assert.Single(done.Files);
    }

    [Fact]
    public async Task Requests_that_cannot_run_get_one_error_naming_the_problem()
    {
        await using var store = await TestStore.StartAsync();
        var noBackend = Request(_target.Path, store.Ts.Next());
        noBackend.StorageBackend = new StorageBackend();
        Assert.Contains("no storage backend", Assert.Single(await BackupAsync(store.Channel, noBackend)).Error.Msg, StringComparison.Ordinal);

        var hdfs = Request(_target.Path, store.Ts.Next());
        hdfs.StorageBackend = new StorageBackend { Hdfs = new HDFS { Remote = "hdfs://nn/x" } };
        Assert.Contains("HDFS", Assert.Single(await BackupAsync(store.Channel, hdfs)).Error.Msg, StringComparison.Ordinal);

        Assert.Contains("end_version is 0", Assert.Single(await BackupAsync(store.Channel, Request(_target.Path, 0))).Error.Msg, StringComparison.Ordinal);
        Assert.Contains("start_version", Assert.Single(await BackupAsync(store.Channel, Request(_target.Path, 5, startVersion: 9))).Error.Msg, StringComparison.Ordinal);
    }

    private static async Task SplitAsync(TestStore store, string key)
    {
        var split = await store.Channel.Tikv.SplitRegionAsync(new SplitRegionRequest { Context = store.Ctx(key), SplitKeys = { TestStore.B(key) } }).ResponseAsync;
        Assert.Null(split.RegionError);
    }

    private static async Task DeleteAsync(TestStore store, string key)
    {
        var startTs = store.Ts.Next();
        var prewrite = await store.PrewriteAsync(startTs, key, 3000, (Op.Del, key, null));
        Assert.Empty(prewrite.Errors);
        var commit = await store.CommitAsync(startTs, store.Ts.Next(), key);
        Assert.Null(commit.Error);
    }
}
