using Cairn.Br.Restore;
using Cairn.Testing.Storage;
using Cairn.Workloads;

namespace Cairn.Br.Tests.Restore;

/// <summary>
/// Backups on S3 (radosgw), Azure Blob (azurite) and GCS (the firebase emulator, with the chunked-upload layer) restored:
/// each backend gets a sysbench table backed up there and restored from there under a new database name into the same
/// cluster; the restore verifies its checksum against the backup's, and the restored rows and index are checked.
/// </summary>
[Collection(CloudStorageCollection.Name)]
public sealed class RestoreFromCloudStorageTests(RestoreClusterFixture cluster, RadosGatewayFixture s3, AzuriteFixture azure, GcsEmulatorFixture gcs)
    : IClassFixture<RestoreClusterFixture>, IClassFixture<AzuriteFixture>, IClassFixture<GcsEmulatorFixture>
{
    private const string Bucket = "br-restores";
    private const int Rows = 300;

    [Fact]
    public async Task A_backup_on_s3_restores_and_verifies()
    {
        await s3.EnsureBucketAsync(Bucket);
        await RoundTripAsync("rs_s3", $"s3://{Bucket}/rs-s3?endpoint={Uri.EscapeDataString(s3.Endpoint.ToString().TrimEnd('/'))}&access-key={s3.AccessKey}&secret-access-key={Uri.EscapeDataString(s3.SecretKey)}&force-path-style=true");
    }

    [Fact]
    public async Task A_backup_on_azure_blob_restores_and_verifies()
    {
        await RoundTripAsync("rs_azure",
            $"azure://{azure.Container}/rs-azure?endpoint={Uri.EscapeDataString(azure.Endpoint)}&account-name={AzuriteFixture.AccountName}&account-key={Uri.EscapeDataString(AzuriteFixture.AccountKey)}");
    }

    [Fact]
    public async Task A_backup_on_gcs_restores_and_verifies()
    {
        await RoundTripAsync("rs_gcs", $"gcs://{gcs.Bucket}/rs-gcs?endpoint={Uri.EscapeDataString(gcs.Endpoint)}");
    }

    private async Task RoundTripAsync(string db, string url)
    {
        await new SysbenchWorkload(cluster.SourceCatalog) { Database = db, Tables = 1, Rows = Rows, BatchSize = Rows }.LoadAsync();
        var backup = await BackupJob.RunAsync(new BackupOptions
        {
            PdAddresses = [cluster.Source.PdAddress], Storage = url, Kind = BackupKind.Database, Databases = [db], PdConnectTimeout = TimeSpan.FromSeconds(5),
        });
        Assert.True(backup.Succeeded);

        // Into the target cluster under its own name, and into the source cluster under another one.
        var intoTarget = await RestoreJob.RunAsync(cluster.Restore("unused") with { Storage = url, Kind = RestoreKind.Database, Databases = [db] });
        var intoSource = await RestoreJob.RunAsync(cluster.Restore("unused") with
        {
            PdAddresses = [cluster.Source.PdAddress], Storage = url, Kind = RestoreKind.Database, Databases = [db], Renames = [TableRename.Parse($"{db}.*={db}_copy.*")],
        });

        foreach (var (summary, catalog, database) in new[] { (intoTarget, cluster.TargetCatalog, db), (intoSource, cluster.SourceCatalog, db + "_copy") })
        {
            Assert.True(summary.Succeeded);
            Assert.Equal(1, summary.TablesRestored);
            Assert.Equal((ulong)backup.TotalKvs, summary.TotalKvs);
            Assert.Empty(await new SysbenchWorkload(catalog) { Database = database, Tables = 1, Rows = Rows }.VerifyAsync());
        }
    }
}
