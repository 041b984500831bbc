namespace Cairn.Br.Tests.Cli;

/// <summary>
/// Bad input to <c>br restore</c> found before anything connects, run as a process: each case exits 2 with one line
/// naming the problem, no stack trace, and nothing written (no pd listens on port 1 here).
/// </summary>
public sealed class RestoreBadInputTests : IDisposable
{
    private const string NoPd = "127.0.0.1:1";
    private readonly TempDirectory _dir = new("br-restore-bad");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("--storage", "restore", "full")]
    [InlineData("--bogus", "restore", "full", "-s", "{storage}", "--bogus")]
    [InlineData("everything", "restore", "everything", "-s", "{storage}")]
    [InlineData("--filter", "restore", "full", "-s", "{storage}", "-f", "nodot")]
    [InlineData("--db", "restore", "db", "-s", "{storage}")]
    [InlineData("--table", "restore", "table", "-s", "{storage}", "--db", "shop")]
    [InlineData("--rename", "restore", "full", "-s", "{storage}", "--rename", "shop.t1")]
    [InlineData("--rename", "restore", "full", "-s", "{storage}", "--rename", "shop.t1=a=b")]
    [InlineData("--rename", "restore", "full", "-s", "{storage}", "--rename", "shop.*=dst.t2")]
    [InlineData("--rename", "restore", "full", "-s", "{storage}", "--rename", "shop.t1=shop.t1")]
    [InlineData("--rename", "restore", "full", "-s", "{storage}", "--rename", "shop.t1=x.a", "--rename", "shop.t2=x.a")]
    [InlineData("--rename", "restore", "raw", "-s", "{storage}", "--rename", "shop.t1=x.a")]
    [InlineData("--switch-mode-interval", "restore", "full", "-s", "{storage}", "--switch-mode-interval", "0s")]
    [InlineData("--switch-mode-interval", "restore", "full", "-s", "{storage}", "--switch-mode-interval", "soon")]
    [InlineData("--concurrency", "restore", "full", "-s", "{storage}", "--concurrency", "5000")]
    [InlineData("--ratelimit", "restore", "full", "-s", "{storage}", "--ratelimit", "-4")]
    [InlineData("--start", "restore", "raw", "-s", "{storage}", "--start", "09", "--end", "01")]
    [InlineData("--cf", "restore", "raw", "-s", "{storage}", "--cf", "meta")]
    [InlineData("--format", "restore", "raw", "-s", "{storage}", "--format", "base64")]
    [InlineData("ftp", "restore", "full", "-s", "ftp://host/backups")]
    [InlineData("TLS", "restore", "full", "-s", "{storage}", "--key", "/etc/ssl/k.pem")]
    [InlineData("--log-level", "restore", "db", "-s", "{storage}", "--db", "a", "-L", "loud")]
    public async Task Bad_restore_usage_exits_2_naming_the_problem_and_writes_nothing(string named, params string[] args)
    {
        var storage = _dir.Sub("backup");
        Directory.CreateDirectory(storage);
        string[] full = [.. args.Select(a => a.Replace("{storage}", storage, StringComparison.Ordinal)), "-u", NoPd];

        var (exit, _, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(1), full);

        Assert.True(exit == 2, $"br {string.Join(' ', full)} exited with {exit}: {stderr}");
        var line = Assert.Single(BrProcess.Messages(stderr));
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.Contains("--help", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(storage));
        Assert.Empty(Directory.GetFiles(_dir.Path, "br.log.*"));
    }
}
