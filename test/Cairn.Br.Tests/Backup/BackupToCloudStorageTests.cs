using Cairn.Br.Metadata;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;
using Cairn.Storage;
using Cairn.Testing.Storage;
using Cairn.Workloads;

namespace Cairn.Br.Tests.Backup;

[Collection(CloudStorageCollection.Name)]
public sealed class BackupToCloudStorageTests(BackupClusterFixture cluster, RadosGatewayFixture s3, AzuriteFixture azure, GcsPlainEmulatorFixture gcs)
    : IClassFixture<BackupClusterFixture>, IClassFixture<AzuriteFixture>, IClassFixture<GcsPlainEmulatorFixture>
{
    private const string Bucket = "br-backups";

    private async Task LoadAsync(string db)
    {
        await cluster.Catalog.CreateDatabaseAsync(db);
        await cluster.Catalog.CreateTableAsync(db, new TableInfo
        {
            Name = new CIStr("t"),
            Columns = [WorkloadColumns.Int("id"), WorkloadColumns.Text("c")],
            Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id")],
        });
        var table = await Table.OpenAsync(cluster.Catalog, db, "t");
        await table.InsertManyAsync(Enumerable.Range(1, 50).Select(i => (IReadOnlyDictionary<string, Datum>)new Dictionary<string, Datum>
        {
            ["id"] = Datum.FromInt64(i),
            ["c"] = Datum.FromString(i % 3 == 0 ? new string('y', 150) : $"v{i}"),
        }));
    }

    private async Task BackUpAndCheckAsync(string db, string url)
    {
        await LoadAsync(db);
        var summary = await BackupJob.RunAsync(cluster.Options(db) with { Storage = url, Kind = BackupKind.Database, Databases = [db] });
        Assert.True(summary.Succeeded);
        Assert.Equal(50, summary.TotalKvs);
        await using var storage = await ExternalStorage.OpenAsync(url);
        var reader = await BackupMetaReader.OpenAsync(storage);
        Assert.Equal(summary.BackupTs, reader.Meta.EndVersion);
        var files = 0;
        await foreach (var file in reader.ReadFilesAsync())
        {
            files++;
            Assert.True(await storage.ExistsAsync(file.Name), $"{file.Name} is not in {storage.Uri}");
        }

        Assert.Equal(summary.Files, files);
        Assert.True(await storage.ExistsAsync(BackupFiles.Lock));
    }

    [Fact]
    public async Task A_backup_to_s3_lands_in_the_bucket_with_its_meta()
    {
        await s3.EnsureBucketAsync(Bucket);
        var url = $"s3://{Bucket}/bk-s3?endpoint={Uri.EscapeDataString(s3.Endpoint.ToString().TrimEnd('/'))}&access-key={s3.AccessKey}&secret-access-key={Uri.EscapeDataString(s3.SecretKey)}&force-path-style=true";
        await BackUpAndCheckAsync("bk_s3", url);
    }

    [Fact]
    public async Task A_backup_to_azure_blob_lands_in_the_container_with_its_meta()
    {
        await BackUpAndCheckAsync("bk_azure", AzureUrl("bk-azure"));
    }

    [Fact]
    public async Task A_backup_to_gcs_lands_in_the_bucket_with_its_meta()
    {
        await BackUpAndCheckAsync("bk_gcs", $"gcs://{gcs.Bucket}/bk-gcs?endpoint={Uri.EscapeDataString(gcs.Endpoint)}");
    }

    private string AzureUrl(string prefix) =>
        $"azure://{azure.Container}/{prefix}?endpoint={Uri.EscapeDataString(azure.Endpoint)}&account-name={AzuriteFixture.AccountName}&account-key={Uri.EscapeDataString(AzuriteFixture.AccountKey)}";
}
