namespace Cairn.Br.Tests.Cli;

/// <summary>
/// Bad input to <c>br backup</c>, run as a process: each case exits non-zero with one line naming the problem, no
/// stack trace, and nothing in the storage folder. Usage errors (2) are found before anything connects, so no pd
/// listens on port 1 here.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private const string NoPd = "127.0.0.1:1";
    private readonly TempDirectory _dir = new("br-bad");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("--bogus", "backup", "full", "-s", "{storage}", "--bogus")]
    [InlineData("everything", "backup", "everything", "-s", "{storage}")]
    [InlineData("--filter", "backup", "full", "-s", "{storage}", "-f", "nodot")]
    [InlineData("--filter", "backup", "full", "-s", "{storage}", "-f", "`db.t")]
    [InlineData("--db", "backup", "db", "-s", "{storage}")]
    [InlineData("--table", "backup", "table", "-s", "{storage}", "--db", "shop")]
    [InlineData("--db", "backup", "table", "-s", "{storage}", "--db", "a", "--db", "b", "-t", "t1")]
    [InlineData("--backupts", "backup", "full", "-s", "{storage}", "--backupts", "yesterday")]
    [InlineData("--timeago", "backup", "full", "-s", "{storage}", "--timeago", "-1h")]
    [InlineData("--gcttl", "backup", "full", "-s", "{storage}", "--gcttl", "0")]
    [InlineData("--lastbackupts", "backup", "full", "-s", "{storage}", "--lastbackupts", "abc")]
    [InlineData("--start", "backup", "raw", "-s", "{storage}", "--start", "02", "--end", "01")]
    [InlineData("--start", "backup", "raw", "-s", "{storage}", "--start", "01", "--end", "01")]
    [InlineData("hex", "backup", "raw", "-s", "{storage}", "--start", "zz")]
    [InlineData("--format", "backup", "raw", "-s", "{storage}", "--format", "base64")]
    [InlineData("escape", "backup", "raw", "-s", "{storage}", "--format", "escaped", "--start", "\\q")]
    [InlineData("--cf", "backup", "raw", "-s", "{storage}", "--cf", "meta")]
    [InlineData("--compression", "backup", "full", "-s", "{storage}", "--compression", "gzip")]
    [InlineData("--ratelimit", "backup", "full", "-s", "{storage}", "--ratelimit", "-1")]
    [InlineData("--ratelimit", "backup", "full", "-s", "{storage}", "--ratelimit", "fast")]
    [InlineData("--concurrency", "backup", "full", "-s", "{storage}", "--concurrency", "-2")]
    [InlineData("ftp", "backup", "full", "-s", "ftp://host/backups")]
    [InlineData("--storage", "backup", "full")]
    [InlineData("https://", "backup", "full", "-s", "{storage}", "-u", "https://127.0.0.1:2379")]
    [InlineData("TLS", "backup", "full", "-s", "{storage}", "--ca", "/etc/ssl/ca.pem")]
    [InlineData("secret", "backup", "full", "-s", "s3://bucket/prefix", "--s3.access-key", "AKID")]
    [InlineData("--remove-schedulers", "backup", "full", "-s", "{storage}", "--remove-schedulers")]
    [InlineData("--log-level", "backup", "full", "-s", "{storage}", "-L", "loud")]
    [InlineData("--status-addr", "backup", "full", "-s", "{storage}", "--status-addr", "nowhere")]
    public async Task Bad_usage_exits_2_naming_the_problem_and_writes_nothing(string named, params string[] args)
    {
        var storage = _dir.Sub("backup");
        string[] full = [.. args.Select(a => a.Replace("{storage}", "local://" + storage, StringComparison.Ordinal)), "-u", NoPd];
        if (args.Contains("-u"))
        {
            full = full[..^2];
        }

        var (exit, _, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(1), full);

        Assert.True(exit == 2, $"br {string.Join(' ', full)} exited with {exit}: {stderr}");
        var line = Assert.Single(BrProcess.Messages(stderr));
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.Contains("--help", line, StringComparison.Ordinal);
        Assert.DoesNotContain("AKID", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(storage), $"br {string.Join(' ', full)} created the storage folder");
        Assert.Empty(Directory.GetFiles(_dir.Path, "br.log.*"));
    }

    [Fact]
    public async Task An_unreachable_pd_fails_with_exit_1_naming_it_and_the_log()
    {
        var storage = _dir.Sub("backup");
        var log = _dir.Sub("br.log");

        var (exit, stdout, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(2), "backup", "full", "-s", storage, "-u", NoPd, "--log-file", log);

        Assert.True(exit == 1, $"exit {exit}: {stderr}");
        var line = Assert.Single(BrProcess.Messages(stderr));
        Assert.Contains(NoPd, line, StringComparison.Ordinal);
        Assert.Contains("(log: " + log + ")", line, StringComparison.Ordinal);
        Assert.Contains("log file: " + log, stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(storage) && Directory.EnumerateFileSystemEntries(storage).Any());
        Assert.Contains("br failed", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_br_log_to_term_set_the_log_goes_to_standard_error_and_no_file_is_written()
    {
        var (exit, stdout, stderr) = await BrProcess.RunLoggingToTerminalAsync(_dir.Path, TimeSpan.FromMinutes(2), "backup", "full", "-s", _dir.Sub("backup"), "-u", NoPd);

        Assert.Equal(1, exit);
        Assert.DoesNotContain("log file:", stdout, StringComparison.Ordinal);
        Assert.Contains("br[7500] br ", stderr, StringComparison.Ordinal);
        Assert.Contains("br failed", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir.Path, "br.log.*"));
    }

    [Fact]
    public async Task Version_and_help_exit_0()
    {
        var version = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(1), "-V");
        Assert.Equal(0, version.ExitCode);
        Assert.NotEmpty(version.StandardOutput.Trim());
        var help = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(1), "backup", "raw", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--format", help.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("--storage", help.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("--remove-schedulers", help.StandardOutput, StringComparison.Ordinal);
    }
}
