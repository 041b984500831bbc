using System.Text.RegularExpressions;

namespace Cairn.Br.Tests.Cli;

/// <summary><c>br restore</c> as a process that succeeds: a backup made by <c>br backup full</c> restored under new database names.</summary>
public sealed partial class RestoreProcessTests(BackupFolderFixture fixture) : IClassFixture<BackupFolderFixture>, IDisposable
{
    private readonly TempDirectory _dir = new("br-restore");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_full_restore_under_a_new_database_name_exits_0_prints_its_summary_and_gives_the_same_rows()
    {
        var log = _dir.Sub("restore.log");

        var (exit, stdout, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(3), "restore", "full", "-u", fixture.Pd, "-s", fixture.Backup, "--rename", "shop.*=shop_copy.*", "--log-file", log);

        Assert.True(exit == 0, $"exit {exit}:\n{stdout}\n{stderr}");
        Assert.Contains("Full restore succeeded", stdout, StringComparison.Ordinal);
        Assert.Matches(TablesRow(), stdout);
        Assert.Empty(BrProcess.Messages(stderr));
        Assert.DoesNotContain("fail:", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
        foreach (var table in new[] { "sbtest1", "sbtest2" })
        {
            Assert.Equal(await CairnAsync("table", "count", "shop." + table), await CairnAsync("table", "count", "shop_copy." + table));
            Assert.Equal(Kvs(await CairnAsync("table", "checksum", "shop." + table)), Kvs(await CairnAsync("table", "checksum", "shop_copy." + table)));
        }
    }

    private async Task<string> CairnAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), [.. args, "--pd", fixture.Pd]);
        Assert.True(exit == 0, $"cairn {string.Join(' ', args)}: {stderr}");
        return stdout.Trim();
    }

    private static string Kvs(string checksum) => KvsPart().Match(checksum).Value;

    [GeneratedRegex(@"tables\s+2 selected, 2 created, 2 restored")]
    private static partial Regex TablesRow();

    [GeneratedRegex(@"total_kvs \d+\s+total_bytes \d+")]
    private static partial Regex KvsPart();
}
