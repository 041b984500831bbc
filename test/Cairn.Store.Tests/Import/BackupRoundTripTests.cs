using Cairn.Common.Codec;
using Cairn.Rpc.Backup;
using Cairn.Rpc.ImportSstpb;
using Cairn.Storage;
using Cairn.Storage.Backends;
using Cairn.Testing.Storage;
using Cairn.Store.Tests.Backup;
using Google.Protobuf;
using static Cairn.Store.Tests.TestStore;

namespace Cairn.Store.Tests.Import;

/// <summary>
/// Files written by the store's own Backup service, restored by Download and MultiIngest under another key prefix:
/// the two halves agree on names, CFs, key encoding and write records.
/// </summary>
internal static class BackupRoundTrip
{
    /// <summary>Writes rows under <c>{tag}/old/</c>, backs them up to <paramref name="backend"/> and restores them under <c>{tag}/new/</c>.</summary>
    public static async Task RestoreUnderNewPrefixAsync(TestStore store, string tag, StorageBackend backend)
    {
        var rows = Enumerable.Range(0, 30).Select(i => ($"{tag}/old/{i:D3}", i % 3 == 0 ? new string((char)('a' + (i % 26)), 300) : $"short{i}")).ToArray();
        await store.PutAsync(rows);
        var request = BackupFixture.Request("/unused", store.Ts.Next(), $"{tag}/old/", $"{tag}/old0");
        request.StorageBackend = backend;
        var backup = Assert.Single(await BackupFixture.BackupAsync(store.Channel, request));
        Assert.Null(backup.Error);

        var oldPrefix = MemComparable.EncodePrefix(Bytes($"{tag}/old/"));
        var newPrefix = MemComparable.EncodePrefix(Bytes($"{tag}/new/"));
        var region = store.RegionFor(Common.Mvcc.MvccKey.EncodeKey(Bytes($"{tag}/new/")));
        var ingest = new MultiIngestRequest { Context = store.Ctx(region) };
        foreach (var file in backup.Files)
        {
            var sst = new SSTMeta
            {
                Uuid = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
                CfName = file.Cf,
                Length = file.Size,
                RegionId = region.Id,
                RegionEpoch = region.RegionEpoch.Clone(),
                Range = new Rpc.ImportSstpb.Range
                {
                    Start = ByteString.CopyFrom(newPrefix),
                    End = ByteString.CopyFrom([.. newPrefix, .. Enumerable.Repeat((byte)0xFF, 10)]),
                },
            };
            var download = await store.Channel.ImportSst.DownloadAsync(new DownloadRequest
            {
                Name = file.Name,
                Sst = sst,
                RewriteRule = new RewriteRule { OldKeyPrefix = ByteString.CopyFrom(oldPrefix), NewKeyPrefix = ByteString.CopyFrom(newPrefix) },
                StorageBackend = backend,
            }).ResponseAsync;
            Assert.Null(download.Error);
            sst.Range = download.Range;
            ingest.Ssts.Add(sst);
        }

        Assert.Equal(["default", "write"], ingest.Ssts.Select(s => s.CfName).Order());
        var ingested = await store.Channel.ImportSst.MultiIngestAsync(ingest).ResponseAsync;
        Assert.Null(ingested.Error);

        var readTs = store.Ts.Next();
        foreach (var (key, value) in rows)
        {
            Assert.Equal(value, await store.ReadAsync(key.Replace("/old/", "/new/", StringComparison.Ordinal), readTs));
        }
    }
}

public sealed class BackupRoundTripTests
{
    [Fact]
    public async Task Files_from_the_backup_service_restore_under_a_new_prefix_from_local_storage()
    {
        using var folder = new TempDirectory("roundtrip");
        await using var store = await TestStore.StartAsync();

        await BackupRoundTrip.RestoreUnderNewPrefixAsync(store, "local", new StorageBackend { Local = new Local { Path = folder.Path } });
    }
}

[Collection(StoreRadosGatewayCollection.Name)]
public sealed class BackupRoundTripS3Tests(RadosGatewayFixture rgw)
{
    [Fact]
    public async Task Files_from_the_backup_service_restore_under_a_new_prefix_from_s3()
    {
        await rgw.EnsureBucketAsync("store-import");
        await using var store = await TestStore.StartAsync();
        var url = StorageUrl.Parse($"s3://store-import/t-{Guid.NewGuid():N}?endpoint={rgw.Endpoint}&access-key={rgw.AccessKey}&secret-access-key={Uri.EscapeDataString(rgw.SecretKey)}",
            new StorageOpenOptions { EnvironmentVariables = _ => null });

        await BackupRoundTrip.RestoreUnderNewPrefixAsync(store, "s3", StorageBackends.ToBackend(url, includeCredentials: true));
    }
}
