using Cairn.Br.Metadata;

namespace Cairn.Br.Tests.Backup;

public sealed class EmptyClusterBackupTests
{
    [Fact]
    public async Task A_full_backup_of_an_empty_cluster_is_a_valid_meta_without_files_or_schemas()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 1 });
        using var folder = new TempDirectory("br-empty");
        var summary = await BackupJob.RunAsync(new BackupOptions { PdAddresses = [cluster.PdAddress], Storage = folder.Sub("b") });
        Assert.True(summary.Succeeded);
        Assert.Equal(0, summary.Tables);
        Assert.Equal(0, summary.Files);
        var meta = Cairn.Rpc.Backup.BackupMeta.Parser.ParseFrom(await File.ReadAllBytesAsync(Path.Combine(folder.Sub("b"), BackupFiles.Meta)));
        Assert.Equal(cluster.ClusterId, meta.ClusterId);
        Assert.Equal(summary.BackupTs, meta.EndVersion);
        Assert.Empty(meta.Schemas);
        Assert.Empty(meta.Files);
        Assert.Equal("[]", meta.Ddls.ToStringUtf8());
    }
}
