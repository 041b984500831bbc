using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cairn.Br.Metadata;
using Cairn.Rpc.Backup;
using File = System.IO.File;
using BackupFile = Cairn.Rpc.Backup.File;
using Cairn.Br.Tests.Backup;

namespace Cairn.Br.Tests.Cli;

/// <summary>
/// <c>br</c> as a process against a playground of 3 store processes: full, db and table backups that verify, a store
/// killed with SIGKILL mid-backup, Ctrl-C, the status listener, and refusals that leave the storage as it was.
/// </summary>
public sealed partial class BackupProcessTests(PlaygroundFixture fixture) : IClassFixture<PlaygroundFixture>, IDisposable
{
    private readonly TempDirectory _dir = new("br-run");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_full_backup_exits_0_prints_its_summary_and_writes_a_backup_whose_files_verify()
    {
        var storage = _dir.Sub("full");
        var log = _dir.Sub("full.log");

        var (exit, stdout, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(3), "backup", "full", "-u", fixture.Pd, "-s", "local://" + storage, "--log-file", log);

        Assert.True(exit == 0, $"exit {exit}:\n{stdout}\n{stderr}");
        Assert.Contains("log file: " + log, stdout, StringComparison.Ordinal);
        Assert.Contains("Full backup succeeded", stdout, StringComparison.Ordinal);
        Assert.Matches(BackupTsRow(), stdout);
        Assert.Empty(BrProcess.Messages(stderr));
        var logText = await File.ReadAllTextAsync(log);
        Assert.Contains("success summary", logText, StringComparison.Ordinal);
        Assert.DoesNotContain("warn:", logText, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", logText, StringComparison.Ordinal);

        var backup = await ReadBackupAsync(storage);
        Assert.Contains(backup.Databases, d => d == "shop");
        Assert.Contains(backup.Databases, d => d == "crm");
        Assert.Contains(backup.Databases, d => d == "big");
        await VerifyFilesAsync(storage, backup);
    }

    [Fact]
    public async Task A_db_backup_holds_only_the_databases_named()
    {
        var storage = _dir.Sub("db");

        var (exit, stdout, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(3), "backup", "db", "-u", fixture.Pd, "-s", storage, "--db", "crm", "--db", "shop");

        Assert.True(exit == 0, $"exit {exit}:\n{stdout}\n{stderr}");
        Assert.Contains("Database backup succeeded", stdout, StringComparison.Ordinal);
        var backup = await ReadBackupAsync(storage);
        Assert.Equal(["crm", "shop"], backup.Databases.Distinct().Order());
        Assert.Equal(5, backup.Tables.Count);
        await VerifyFilesAsync(storage, backup);
    }

    [Fact]
    public async Task A_table_backup_holds_only_the_tables_named_in_either_form()
    {
        var plain = _dir.Sub("table1");
        var qualified = _dir.Sub("table2");

        var first = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(3), "backup", "table", "-u", fixture.Pd, "-s", plain, "--db", "shop", "-t", "sbtest2");
        var second = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(3), "backup", "table", "-u", fixture.Pd, "-s", qualified, "--table", "shop.sbtest1", "--table", "CRM.SBTEST2");

        Assert.True(first.ExitCode == 0, first.StandardError);
        Assert.True(second.ExitCode == 0, second.StandardError);
        Assert.Equal(["shop.sbtest2"], (await ReadBackupAsync(plain)).Tables);
        Assert.Equal(["crm.sbtest2", "shop.sbtest1"], (await ReadBackupAsync(qualified)).Tables.Order());
    }

    [Fact]
    public async Task A_store_killed_with_sigkill_mid_backup_and_restarted_leaves_a_complete_backup_whose_checksums_match()
    {
        var storage = _dir.Sub("killed");
        var log = _dir.Sub("killed.log");
        await using var br = BrProcess.Start(_dir.Path, "backup", "full", "-u", fixture.Pd, "-s", storage, "-f", "big.*", "--ratelimit", "1", "--log-file", log);
        await Eventually.UntilAsync(() => br.Stderr.Contains("[progress]", StringComparison.Ordinal) || br.HasExited, TimeSpan.FromMinutes(2), () => $"br to start backing up:\n{br.Stderr}");
        Assert.False(br.HasExited, $"the backup ended before the store could be killed:\n{br.Stdout}\n{br.Stderr}");

        fixture.Cluster.KillStore(1);
        await fixture.Cluster.WaitForRestartAsync(1, TimeSpan.FromMinutes(1));

        Assert.True(await br.WaitForExitAsync(TimeSpan.FromMinutes(4)), $"br did not finish:\n{br.Stderr}");
        Assert.True(br.ExitCode == 0, $"exit {br.ExitCode}:\n{br.Stdout}\n{br.Stderr}");
        var backup = await ReadBackupAsync(storage);
        Assert.Equal(3, backup.Tables.Count);
        await VerifyFilesAsync(storage, backup);
        // The kill did interrupt the job: some range was retried after the store went away.
        Assert.Matches(RetriedRange(), await File.ReadAllTextAsync(log));
    }

    [Fact]
    public async Task Ctrl_c_cancels_the_backup_exits_1_and_leaves_the_storage_recognisably_unfinished_while_status_served_progress()
    {
        var storage = _dir.Sub("cancelled");
        await using var br = BrProcess.Start(_dir.Path, "backup", "full", "-u", fixture.Pd, "-s", storage, "-f", "big.*", "--ratelimit", "1", "--status-addr", "127.0.0.1:0");
        var status = (await br.WaitForLineAsync(StatusLine(), TimeSpan.FromMinutes(1))).Groups["url"].Value;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal("ok\n", await http.GetStringAsync(status.Replace("/status", "/health", StringComparison.Ordinal)));
        await Eventually.UntilAsync(async () =>
        {
            using var json = JsonDocument.Parse(await http.GetStringAsync(status));
            return json.RootElement.GetProperty("phases").GetArrayLength() > 0 || br.HasExited;
        }, TimeSpan.FromMinutes(2), "the status listener to report a phase");
        Assert.False(br.HasExited, br.Stderr);

        br.Signal("INT");

        Assert.True(await br.WaitForExitAsync(TimeSpan.FromMinutes(1)), $"br did not stop:\n{br.Stderr}");
        Assert.Equal(1, br.ExitCode);
        Assert.Contains("cancelled", Assert.Single(BrProcess.Messages(br.Stderr)), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(storage, BackupFiles.Lock)));
        Assert.False(File.Exists(Path.Combine(storage, BackupFiles.Meta)));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetStringAsync(status));
    }

    [Theory]
    [InlineData("nosuchtable", "backup", "table", "--db", "shop", "-t", "nosuchtable")]
    [InlineData("nosuchdb", "backup", "db", "--db", "nosuchdb")]
    [InlineData("nosuchdb", "backup", "table", "-t", "nosuchdb.t1")]
    [InlineData("future", "backup", "full", "--backupts", "{future}")]
    public async Task A_backup_of_what_cannot_be_backed_up_exits_1_naming_it_and_writes_nothing(string named, params string[] args)
    {
        var storage = _dir.Sub("refused");
        var future = Cairn.Common.Tso.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] full = [.. args.Select(a => a.Replace("{future}", future, StringComparison.Ordinal)), "-u", fixture.Pd, "-s", storage];

        var (exit, _, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(2), full);

        Assert.True(exit == 1, $"br {string.Join(' ', full)} exited with {exit}: {stderr}");
        var line = Assert.Single(BrProcess.Messages(stderr));
        Assert.Contains(named, line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(storage) && Directory.EnumerateFileSystemEntries(storage).Any(), $"br {string.Join(' ', full)} wrote into the storage");
    }

    [Theory]
    [InlineData("backupmeta")]
    [InlineData("backup.lock")]
    public async Task A_storage_already_holding_a_backup_is_refused_by_name_and_left_as_it_was(string existing)
    {
        var storage = _dir.Sub("used-" + existing);
        Directory.CreateDirectory(storage);
        await File.WriteAllTextAsync(Path.Combine(storage, existing), "earlier");

        var (exit, _, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(2), "backup", "full", "-u", fixture.Pd, "-s", storage);

        Assert.True(exit == 1, $"exit {exit}: {stderr}");
        Assert.Contains(existing, Assert.Single(BrProcess.Messages(stderr)), StringComparison.Ordinal);
        Assert.Equal([Path.Combine(storage, existing)], Directory.GetFileSystemEntries(storage));
        Assert.Equal("earlier", await File.ReadAllTextAsync(Path.Combine(storage, existing)));
    }

    [Fact]
    public async Task A_storage_that_cannot_be_written_fails_with_exit_1_naming_it()
    {
        var (exit, _, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(2), "backup", "full", "-u", fixture.Pd, "-s", "local:///proc/br-cannot-write");

        Assert.True(exit == 1, $"exit {exit}: {stderr}");
        Assert.Contains("/proc/br-cannot-write", Assert.Single(BrProcess.Messages(stderr)), StringComparison.Ordinal);
        Assert.False(Directory.Exists("/proc/br-cannot-write"));
    }

    private static async Task<Backup> ReadBackupAsync(string storage)
    {
        // The meta decodes as kvproto's backup.BackupMeta by protobuf alone; the reader follows v2 meta files too.
        var meta = BackupMeta.Parser.ParseFrom(await File.ReadAllBytesAsync(Path.Combine(storage, BackupFiles.Meta)));
        Assert.NotEqual(0UL, meta.EndVersion);
        var contents = await BackupContents.ReadAsync(storage);
        var files = contents.Files.ToList();
        var schemas = contents.Schemas.ToList();
        var databases = schemas.Select(s => LowerName(s.Db.ToStringUtf8(), "db_name")).ToList();
        var tables = schemas.Where(s => !s.Table.IsEmpty).Select(s => LowerName(s.Db.ToStringUtf8(), "db_name") + "." + LowerName(s.Table.ToStringUtf8(), "name")).ToList();
        return new Backup(meta, files, schemas, databases, tables);
    }

    // TiDB's model.DBInfo / TableInfo JSON: {"db_name": {"O": "Shop", "L": "shop"}} / {"name": {"O": …, "L": …}}.
    private static string LowerName(string json, string property)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty(property).GetProperty("L").GetString()!;
    }

    private static async Task VerifyFilesAsync(string storage, Backup backup)
    {
        Assert.NotEmpty(backup.Files);
        foreach (var file in backup.Files)
        {
            var path = Path.Combine(storage, file.Name);
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.Equal(file.Sha256.ToByteArray(), SHA256.HashData(bytes));
            Assert.Equal((ulong)bytes.Length, file.Size);
            await SstDump.VerifyAsync(path);
        }

        // The coprocessor's checksums at backupTS (in the schemas) equal what the files hold.
        var tables = backup.Schemas.Where(s => !s.Table.IsEmpty).ToList();
        Assert.Equal(tables.Aggregate(0UL, (x, s) => x ^ s.Crc64Xor), backup.Files.Aggregate(0UL, (x, f) => x ^ f.Crc64Xor));
        Assert.Equal(tables.Sum(s => (decimal)s.TotalKvs), backup.Files.Sum(f => (decimal)f.TotalKvs));
        Assert.Equal(tables.Sum(s => (decimal)s.TotalBytes), backup.Files.Sum(f => (decimal)f.TotalBytes));
        Assert.True(tables.Sum(s => (decimal)s.TotalKvs) > 0);
    }

    private sealed record Backup(BackupMeta Meta, List<BackupFile> Files, List<Schema> Schemas, List<string> Databases, List<string> Tables);

    [GeneratedRegex(@"backup ts\s+\d+ \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d\)")]
    private static partial Regex BackupTsRow();

    [GeneratedRegex(@"retrying .* at store|skipped during push-down|fine-grained backup round")]
    private static partial Regex RetriedRange();

    [GeneratedRegex(@"^status: (?<url>http://\S+/status)")]
    private static partial Regex StatusLine();
}
