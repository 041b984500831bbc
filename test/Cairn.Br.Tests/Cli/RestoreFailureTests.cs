namespace Cairn.Br.Tests.Cli;

/// <summary>
/// Restores that must fail, run as processes against the playground the backup came from: each exits 1 with one line
/// naming the problem, no stack trace, the backup folder as it was and no database created in the cluster.
/// </summary>
public sealed class RestoreFailureTests(BackupFolderFixture fixture) : IClassFixture<BackupFolderFixture>, IDisposable
{
    private readonly TempDirectory _dir = new("br-restore-fail");

    public void Dispose() => _dir.Dispose();

    public enum Damage
    {
        None,
        Empty,
        NoMeta,
        TruncatedMeta,
        GarbageMeta,
        MissingSst,
        CorruptSst,
        Raw,
    }

    [Theory]
    [InlineData(Damage.Empty, "no backupmeta", "restore", "full")]
    [InlineData(Damage.NoMeta, "no backupmeta", "restore", "full")]
    [InlineData(Damage.TruncatedMeta, "backupmeta", "restore", "full")]
    [InlineData(Damage.GarbageMeta, "backupmeta", "restore", "full")]
    [InlineData(Damage.None, "raw", "restore", "raw")]
    [InlineData(Damage.Raw, "raw", "restore", "full")]
    [InlineData(Damage.None, "nosuch", "restore", "full", "-f", "nosuch.*")]
    [InlineData(Damage.None, "nosuch", "restore", "db", "--db", "nosuch")]
    [InlineData(Damage.None, "nosuch", "restore", "table", "--table", "shop.nosuch")]
    [InlineData(Damage.None, "sbtest1", "restore", "table", "--table", "shop.sbtest1")]
    [InlineData(Damage.None, "sbtest2", "restore", "table", "--table", "shop.sbtest1", "--rename", "shop.sbtest1=shop.sbtest2")]
    [InlineData(Damage.None, "online", "restore", "full", "--online", "--rename", "shop.*=copy_online.*")]
    [InlineData(Damage.MissingSst, "{sst}", "restore", "full", "--rename", "shop.*=copy_missing.*")]
    [InlineData(Damage.CorruptSst, "{sst}", "restore", "full", "--rename", "shop.*=copy_corrupt.*")]
    public async Task A_restore_that_cannot_be_done_exits_1_naming_the_problem_and_creates_nothing(Damage damage, string named, params string[] args)
    {
        var backup = Prepare(damage, out var sst);
        var before = Listing(backup);
        var databasesBefore = await DatabasesAsync();

        var (exit, _, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(3), [.. args, "-u", fixture.Pd, "-s", backup, "--log-file", _dir.Sub("restore.log")]);

        Assert.True(exit == 1, $"br {string.Join(' ', args)} exited with {exit}: {stderr}");
        var line = Assert.Single(BrProcess.Messages(stderr));
        Assert.Contains(named.Replace("{sst}", sst, StringComparison.Ordinal), line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Equal(before, Listing(backup));
        Assert.Equal(databasesBefore, await DatabasesAsync());
    }

    [Fact]
    public async Task A_restore_to_an_unreachable_pd_exits_1_naming_the_address()
    {
        var (exit, _, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(2), "restore", "full", "-u", "127.0.0.1:1", "-s", fixture.Backup, "--log-file", _dir.Sub("restore.log"));

        Assert.True(exit == 1, $"exit {exit}: {stderr}");
        Assert.Contains("127.0.0.1:1", Assert.Single(BrProcess.Messages(stderr)), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    private string Prepare(Damage damage, out string sst)
    {
        sst = "";
        var backup = _dir.Sub("backup");
        switch (damage)
        {
            case Damage.Empty:
                Directory.CreateDirectory(backup);
                return backup;
            case Damage.Raw:
                return fixture.CopyTo(backup, fixture.RawBackup);
        }

        fixture.CopyTo(backup);
        var meta = Path.Combine(backup, "backupmeta");
        var first = Directory.GetFiles(backup, "*.sst", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        switch (damage)
        {
            case Damage.NoMeta:
                File.Delete(meta);
                break;
            case Damage.TruncatedMeta:
                var bytes = File.ReadAllBytes(meta);
                File.WriteAllBytes(meta, bytes[..(bytes.Length / 2)]);
                break;
            case Damage.GarbageMeta:
                File.WriteAllBytes(meta, [0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]);
                break;
            case Damage.MissingSst:
                sst = Path.GetFileName(first);
                File.Delete(first);
                break;
            case Damage.CorruptSst:
                sst = Path.GetFileName(first);
                var data = File.ReadAllBytes(first);
                data[data.Length / 2] ^= 0x5a;
                File.WriteAllBytes(first, data);
                break;
        }

        return backup;
    }

    private static string[] Listing(string folder) =>
        [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".log", StringComparison.Ordinal))
            .Select(f => $"{Path.GetRelativePath(folder, f)} {new FileInfo(f).Length}").Order(StringComparer.Ordinal)];

    private async Task<string> DatabasesAsync()
    {
        var (exit, stdout, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), "db", "ls", "--pd", fixture.Pd);
        Assert.True(exit == 0, stderr);
        return stdout;
    }
}
