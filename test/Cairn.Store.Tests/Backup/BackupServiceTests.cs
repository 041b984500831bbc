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

    private static async Task DeleteAsync(TestStore store, string key)
    {
        var startTs = store.Ts.Next();
        var prewrite = await store.PrewriteAsync(startTs, key, 3000, (Op.Del, key, null));
        Assert.Empty(prewrite.Errors);
        var commit = await store.CommitAsync(startTs, store.Ts.Next(), key);
        Assert.Null(commit.Error);
    }
}
