using Cairn.Br.Debug;

namespace Cairn.Br.Tests.Debug;

public sealed class BackupChecksumTests
{
    [Fact]
    public async Task An_intact_backup_passes_and_each_table_sums_its_files()
    {
        using var backup = await DebugBackup.CreateAsync();
        var report = await BackupChecksum.RunAsync(backup.Storage);

        Assert.True(report.IsOk);
        Assert.Empty(report.Problems);
        Assert.Equal(3, report.FilesChecked);
        Assert.Equal(backup.Files.Sum(f => (long)f.Size), report.BytesChecked);
        var orders = Assert.Single(report.Tables, t => t.Table == "orders");
        Assert.Equal(("shop", 101L, 1), (orders.Database, orders.TableId, orders.Files));
        Assert.Equal(backup.TableChecksums[101], orders.FromFiles);
        var events = Assert.Single(report.Tables, t => t.Table == "events");
        Assert.Equal(2, events.Files);
        Assert.Equal(backup.TableChecksums[110], events.FromFiles);
        Assert.Equal(50UL, events.FromFiles.TotalKvs);
        Assert.True(events.Matches);
    }

    [Fact]
    public async Task A_changed_a_cut_and_a_missing_file_are_each_named()
    {
        using var backup = await DebugBackup.CreateAsync(useV2: true);
        var (changed, cut, missing) = (backup.Files[0], backup.Files[1], backup.Files[2]);
        var bytes = System.IO.File.ReadAllBytes(backup.PathOf(changed));
        bytes[bytes.Length / 3] ^= 0x40;
        System.IO.File.WriteAllBytes(backup.PathOf(changed), bytes);
        var cutBytes = System.IO.File.ReadAllBytes(backup.PathOf(cut));
        System.IO.File.WriteAllBytes(backup.PathOf(cut), cutBytes[..^10]);
        System.IO.File.Delete(backup.PathOf(missing));

        var report = await BackupChecksum.RunAsync(backup.Storage, concurrency: 2);

        Assert.False(report.IsOk);
        Assert.Equal(
            [(changed.Name, FileProblemKind.Sha256Mismatch), (cut.Name, FileProblemKind.SizeMismatch), (missing.Name, FileProblemKind.Missing)],
            report.Problems.Select(p => (p.Name, p.Kind)));
        Assert.All(report.Problems, p => Assert.Contains(p.Name, p.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_table_whose_files_disagree_with_its_schema_is_flagged()
    {
        using var backup = await DebugBackup.CreateAsync(schemaSkew: 0x10);
        var report = await BackupChecksum.RunAsync(backup.Storage);

        Assert.False(report.IsOk);
        Assert.Empty(report.Problems);
        Assert.False(Assert.Single(report.Tables, t => t.Table == "orders").Matches);
        Assert.True(Assert.Single(report.Tables, t => t.Table == "events").Matches);
    }

    [Fact]
    public async Task A_folder_without_backupmeta_is_refused()
    {
        using var dir = new TempDirectory("debug-empty");
        var error = await Assert.ThrowsAsync<BrException>(() => BackupChecksum.RunAsync(new Cairn.Storage.Local.LocalStorage(dir.Path)));
        Assert.Equal("ErrBackupMetaNotFound", error.Code);
    }
}
