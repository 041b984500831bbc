using System.Security.Cryptography;
using Amazon.S3.Model;
using Cairn.Rpc.Backup;
using Cairn.Storage;
using Cairn.Storage.Backends;
using Cairn.Testing.Storage;
using static Cairn.Store.Tests.Backup.BackupFixture;

namespace Cairn.Store.Tests.Backup;

/// <summary>One radosgw for the Store tests' run.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StoreRadosGatewayCollection : ICollectionFixture<RadosGatewayFixture>
{
    public const string Name = "store-radosgw";
}

/// <summary>Backups straight to S3 (radosgw) through the StorageBackend mapping.</summary>
[Collection(StoreRadosGatewayCollection.Name)]
public sealed class BackupToS3Tests(RadosGatewayFixture rgw)
{
    [Fact]
    public async Task A_backup_to_s3_stores_files_whose_bytes_match_their_sha256()
    {
        await rgw.EnsureBucketAsync("store-backup");
        await using var store = await TestStore.StartAsync();
        await store.PutAsync(("s3/a", new string('a', 500)), ("s3/b", "b"));
        var prefix = $"t-{Guid.NewGuid():N}";
        var url = StorageUrl.Parse($"s3://store-backup/{prefix}?endpoint={rgw.Endpoint}&access-key={rgw.AccessKey}&secret-access-key={Uri.EscapeDataString(rgw.SecretKey)}",
            new StorageOpenOptions { EnvironmentVariables = _ => null });
        var request = Request("/unused", store.Ts.Next(), "s3/", "s30");
        request.StorageBackend = StorageBackends.ToBackend(url, includeCredentials: true);

        var response = Assert.Single(await BackupAsync(store.Channel, request));
        Assert.Null(response.Error);
        Assert.Equal(["default", "write"], response.Files.Select(f => f.Cf));
        using var s3 = rgw.CreateClient();
        foreach (var file in response.Files)
        {
            using var get = await s3.GetObjectAsync("store-backup", $"{prefix}/{file.Name}");
            using var copy = new MemoryStream();
            await get.ResponseStream.CopyToAsync(copy);
            Assert.Equal(SHA256.HashData(copy.ToArray()), file.Sha256.ToByteArray());
            Assert.Equal((ulong)copy.Length, file.Size);
        }

        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "store-backup", Prefix = prefix + "/" });
        Assert.Equal(response.Files.Select(f => $"{prefix}/{f.Name}").Order(), listed.S3Objects.Select(o => o.Key).Order());
        // A remote destination's SSTs pass through the store's temp folder, which they leave.
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(store.Node.Options.DataDir, "backup-tmp")));
    }
}

/// <summary>Backups straight to Azure Blob (azurite) through the StorageBackend mapping.</summary>
public sealed class BackupToAzureTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_backup_to_azure_stores_files_whose_bytes_match_their_sha256()
    {
        await using var store = await TestStore.StartAsync();
        await store.PutAsync(("az/a", new string('a', 500)), ("az/b", "b"));
        var url = StorageUrl.Parse($"azure://{azurite.Container}/backup?endpoint={azurite.Endpoint}&account-name={AzuriteFixture.AccountName}&account-key={Uri.EscapeDataString(AzuriteFixture.AccountKey)}",
            new StorageOpenOptions { EnvironmentVariables = _ => null });
        var request = Request("/unused", store.Ts.Next(), "az/", "az0");
        request.StorageBackend = StorageBackends.ToBackend(url, includeCredentials: true);

        var response = Assert.Single(await BackupAsync(store.Channel, request));
        Assert.Null(response.Error);
        Assert.Equal(2, response.Files.Count);
        await using var storage = await ExternalStorage.OpenAsync(url, new StorageOpenOptions { EnvironmentVariables = _ => null });
        foreach (var file in response.Files)
        {
            var bytes = await storage.ReadAllAsync(file.Name);
            Assert.Equal(SHA256.HashData(bytes), file.Sha256.ToByteArray());
        }
    }
}
