using Cairn.Br.LocalServer;
using Cairn.Br.Restore;
using Cairn.Br.Tests.Restore;
using Cairn.Workloads;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.Tests.LocalServer;

/// <summary>
/// <c>--local-server</c> on two 3-store clusters: a backup whose stores all upload to br's one folder, restored
/// through the server into the other cluster and read back as plain <c>local://</c>; and the message of a
/// <c>local://</c> restore whose files are on another store's disk.
/// </summary>
public sealed class LocalServerJobTests(RestoreClusterFixture fixture) : IClassFixture<RestoreClusterFixture>
{
    private const int Tables = 3;
    private const int Rows = 300;

    [Fact]
    public async Task Every_store_uploads_to_one_folder_and_the_restore_downloads_from_it()
    {
        await new SysbenchWorkload(fixture.SourceCatalog) { Database = "ls_sb", Tables = Tables, Rows = Rows, BatchSize = Rows }.LoadAsync();
        var folder = fixture.Folder.Sub("served");
        using var backupLogs = new CapturingLoggerProvider();
        using (var loggerFactory = LoggerFactory.Create(b => b.AddProvider(backupLogs).SetMinimumLevel(LogLevel.Information)))
        {
            var backup = await BackupJob.RunAsync(new BackupOptions
            {
                PdAddresses = [fixture.Source.PdAddress], Storage = fixture.Storage("served"), PdConnectTimeout = TimeSpan.FromSeconds(5),
                Kind = BackupKind.Database, Databases = ["ls_sb"], LocalServer = new LocalServerOptions(),
            }, null, loggerFactory);
            Assert.True(backup.Succeeded);
        }

        var ssts = Directory.GetFiles(folder, "*.sst").Select(Path.GetFileName).ToList();
        var writers = ssts.Select(n => LocalFiles.Writer(n!)).Distinct().ToList();
        Assert.True(writers.Count >= 2, $"the tables' regions should be led by several stores, files came from {string.Join(", ", writers)}");
        Assert.True(File.Exists(Path.Combine(folder, "backupmeta")));
        Assert.Empty(Directory.GetFiles(folder, "*.cairn-tmp", SearchOption.AllDirectories));
        // Every SST went through the server: its count of uploads is the number of SSTs (br writes its meta itself).
        Assert.Contains(backupLogs.Entries, e => e.Message.Contains($": {ssts.Count} uploads", StringComparison.Ordinal) && e.Message.StartsWith("local backup server", StringComparison.Ordinal));

        using var restoreLogs = new CapturingLoggerProvider();
        using (var loggerFactory = LoggerFactory.Create(b => b.AddProvider(restoreLogs).SetMinimumLevel(LogLevel.Information)))
        {
            var restored = await RestoreJob.RunAsync(fixture.Restore("served") with { Kind = RestoreKind.Database, Databases = ["ls_sb"], LocalServer = new LocalServerOptions() }, null, loggerFactory);
            Assert.True(restored.Succeeded);
            Assert.Equal(Tables, restored.TablesRestored);
        }

        Assert.Contains(restoreLogs.Entries, e => e.Message.StartsWith("local backup server", StringComparison.Ordinal) && e.Message.Contains("stopped", StringComparison.Ordinal) && !e.Message.Contains(" 0 downloads", StringComparison.Ordinal));
        Assert.DoesNotContain(restoreLogs.Entries.Concat(backupLogs.Entries), e => e.Level >= LogLevel.Warning);
        Assert.Empty(await new SysbenchWorkload(fixture.TargetCatalog) { Database = "ls_sb", Tables = Tables, Rows = Rows }.VerifyAsync());

        // The folder has local://'s layout: read as a plain local:// backup, it restores as well.
        var plain = await RestoreJob.RunAsync(fixture.Restore("served") with
        {
            Kind = RestoreKind.Database, Databases = ["ls_sb"], Renames = [TableRename.Parse("ls_sb.*=ls_plain.*")],
        });
        Assert.True(plain.Succeeded);
        Assert.Empty(await new SysbenchWorkload(fixture.TargetCatalog) { Database = "ls_plain", Tables = Tables, Rows = Rows }.VerifyAsync());
    }

    [Fact]
    public async Task A_local_restore_of_a_file_on_another_stores_disk_says_which_store_wrote_it()
    {
        await new SysbenchWorkload(fixture.SourceCatalog) { Database = "ls_far", Tables = Tables, Rows = 100, BatchSize = 100 }.LoadAsync();
        var backup = await fixture.BackUpAsync("far", o => o with { Kind = BackupKind.Database, Databases = ["ls_far"] });
        Assert.True(backup.Succeeded);

        // On separate machines each store's folder would hold only its own files; here they share one, so the files
        // of one store are taken away, as they would be absent from every other store's disk.
        var folder = fixture.Folder.Sub("far");
        var files = Directory.GetFiles(folder, "*.sst");
        var away = LocalFiles.Writer(Path.GetFileName(files[0]))!.Value;
        foreach (var file in files.Where(f => LocalFiles.Writer(Path.GetFileName(f)) == away))
        {
            File.Delete(file);
        }

        var error = await Assert.ThrowsAsync<BrException>(() => RestoreJob.RunAsync(fixture.Restore("far") with { Kind = RestoreKind.Database, Databases = ["ls_far"] }));
        Assert.Matches($@"file {away}_\S+\.sst of \S+ \S+ is not on store \d+'s disk in {System.Text.RegularExpressions.Regex.Escape(folder)}: with local:// each store wrote its own files to its own disk \(store {away} of the backed-up cluster wrote this one\)", error.Message);
        Assert.Contains("or back up with --local-server", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ls_far", await fixture.TargetDatabasesAsync());
    }
}
