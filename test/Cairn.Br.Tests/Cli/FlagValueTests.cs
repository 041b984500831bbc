using Cairn.Br;
using Cairn.Cli.Commands;
using Cairn.Cli.Flags;
using Cairn.Cli.Output;
using Cairn.Common;
using Cairn.Hosting;

namespace Cairn.Br.Tests.Cli;

/// <summary>The values br's flags take, read in-process: keys, timestamps, durations, limits, and what the output shows.</summary>
public sealed class FlagValueTests
{
    [Theory]
    [InlineData("hex", "7480000000000000ff", new byte[] { 0x74, 0x80, 0, 0, 0, 0, 0, 0, 0xff })]
    [InlineData("raw", "ab", new byte[] { (byte)'a', (byte)'b' })]
    [InlineData("escaped", "a\\x00\\n\\\\\\101", new byte[] { (byte)'a', 0, (byte)'\n', (byte)'\\', (byte)'A' })]
    [InlineData("escaped", "", new byte[0])]
    public void Raw_keys_are_read_in_the_format_given(string format, string text, byte[] expected) =>
        Assert.Equal(expected, KeyFormat.Parse(text, format, "--start"));

    [Theory]
    [InlineData("hex", "abc", "hex")]
    [InlineData("hex", "zz", "hex")]
    [InlineData("escaped", "a\\", "backslash")]
    [InlineData("escaped", "\\x4", "\\x")]
    [InlineData("escaped", "\\q", "escape")]
    [InlineData("escaped", "\\777", "octal")]
    [InlineData("base64", "AA==", "--format")]
    public void Malformed_keys_are_refused_naming_the_problem(string format, string text, string named)
    {
        var e = Assert.Throws<CliUsageException>(() => KeyFormat.Parse(text, format, "--start"));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_backupts_date_time_without_an_offset_is_read_in_the_given_zone_and_one_with_an_offset_as_written()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("plus8", TimeSpan.FromHours(8), "plus8", "plus8");
        var local = TimeArgs.Timestamp("2024-05-01 08:00:00", "--backupts", zone);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero), Tso.ToDateTimeOffset(local));
        Assert.Equal(0, Tso.Logical(local));
        var utc = TimeArgs.Timestamp("2024-05-01T08:00:00Z", "--backupts", zone);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero), Tso.ToDateTimeOffset(utc));
        Assert.Equal(449412515532472321UL, TimeArgs.Timestamp("449412515532472321", "--backupts"));
        Assert.Equal(0UL, TimeArgs.Timestamp("", "--backupts"));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2024-13-01 00:00:00")]
    [InlineData("99999999999999999999999")]
    [InlineData("1969-12-31 00:00:00Z")]
    public void An_unreadable_backupts_is_refused(string text) =>
        Assert.Contains("--backupts", Assert.Throws<CliUsageException>(() => TimeArgs.Timestamp(text, "--backupts", TimeZoneInfo.Utc)).Message, StringComparison.Ordinal);

    [Fact]
    public void Durations_are_go_durations_and_gcttl_also_takes_bare_seconds()
    {
        Assert.Equal(TimeSpan.FromMinutes(90), TimeArgs.Duration("1h30m", "--timeago"));
        Assert.Equal(TimeSpan.FromSeconds(300), TimeArgs.Duration("300", "--gcttl", bareSeconds: true));
        Assert.Equal(TimeSpan.FromSeconds(30), TimeArgs.Duration("30s", "--gcttl", bareSeconds: true));
        Assert.Contains("negative", Assert.Throws<CliUsageException>(() => TimeArgs.Duration("-1h", "--timeago")).Message, StringComparison.Ordinal);
        Assert.Contains("--timeago", Assert.Throws<CliUsageException>(() => TimeArgs.Duration("300", "--timeago")).Message, StringComparison.Ordinal);
        Assert.Contains("at least", Assert.Throws<CliUsageException>(() => TimeArgs.Duration("0", "--gcttl", true, TimeSpan.FromSeconds(1))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ratelimit_is_mib_per_second_and_concurrency_zero_is_the_default()
    {
        Assert.Equal(8L << 20, BackupCommand.RateLimit("8"));
        Assert.Equal(0, BackupCommand.RateLimit(null));
        Assert.Throws<CliUsageException>(() => BackupCommand.RateLimit("-1"));
        Assert.Throws<CliUsageException>(() => BackupCommand.RateLimit("8.5"));
        Assert.Equal(BackupCommand.DefaultConcurrency, BackupCommand.Concurrency("0"));
        Assert.Equal(16, BackupCommand.Concurrency("16"));
        Assert.Throws<CliUsageException>(() => BackupCommand.Concurrency("257"));
        Assert.Throws<CliUsageException>(() => BackupCommand.Concurrency("-1"));
    }

    [Theory]
    [InlineData(0, 10, 0)]
    [InlineData(9, 10, 90)]
    [InlineData(999, 1000, 99)]
    [InlineData(1999, 2000, 99)]
    [InlineData(10, 10, 100)]
    [InlineData(0, 0, 100)]
    public void The_percentage_is_rounded_down_and_reads_100_only_when_nothing_is_left(long done, long total, int expected) =>
        Assert.Equal(expected, ProgressPrinter.Percent(done, total));

    [Fact]
    public void A_plain_progress_output_prints_each_phase_start_and_end_and_keeps_phases_apart()
    {
        using var output = new StringWriter();
        var status = new JobStatus("backup full");
        using (var printer = new ProgressPrinter(output, terminal: false, status))
        {
            printer.Report(new BackupProgress("Backup", 0, 3, "region"));
            printer.Report(new BackupProgress("Backup", 2, 3, "region"));
            printer.Report(new BackupProgress("Checksum", 0, 1, "table"));
            printer.Report(new BackupProgress("Checksum", 1, 1, "table"));
            printer.Complete();
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                "[progress] Backup [                              ] 0/3 regions 0%",
                "[progress] Backup [====================          ] 2/3 regions 66%",
                "[progress] Checksum [                              ] 0/1 table 0%",
                "[progress] Checksum [==============================] 1/1 table 100%",
            ], lines);
        var json = System.Text.Encoding.UTF8.GetString(status.ToJson());
        Assert.Contains("\"phase\":\"Checksum\",\"done\":1,\"total\":1", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_terminal_bar_is_redrawn_in_place_and_each_finished_phase_keeps_its_line()
    {
        using var output = new StringWriter();
        using (var printer = new ProgressPrinter(output, terminal: true, new JobStatus("backup full")))
        {
            printer.Report(new BackupProgress("Backup", 0, 2, "region"));
            printer.Report(new BackupProgress("Backup", 2, 2, "region"));
            printer.Report(new BackupProgress("Checksum", 1, 1, "table"));
            printer.Complete();
        }

        var lines = output.ToString().Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        Assert.Equal("\r[progress] Backup [                              ] 0/2 regions 0%\u001b[K\r[progress] Backup [==============================] 2/2 regions 100%\u001b[K", lines[0]);
        Assert.Equal("\r[progress] Checksum [==============================] 1/1 table 100%\u001b[K", lines[1]);
        Assert.Equal("", lines[2]);
    }

    [Fact]
    public void The_summary_shows_the_backup_ts_as_a_date_time_and_every_figure()
    {
        using var output = new StringWriter();
        var ts = Tso.Compose(new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), 3);
        SummaryPrinter.Write(output, "Full backup succeeded", new BackupSummary
        {
            Storage = "file:///b", BackupTs = ts, Tables = 2, Ranges = 4, RangesSucceeded = 4, Regions = 6, Files = 8, TotalKvs = 1000,
            TotalBytes = 3 << 20, BackupSize = 1 << 20, Duration = TimeSpan.FromSeconds(2), Succeeded = true,
        }, TimeZoneInfo.Utc);
        var text = output.ToString();
        Assert.StartsWith("Full backup succeeded", text, StringComparison.Ordinal);
        Assert.Contains($"{ts} (2024-05-01 08:00:00.000 +00:00)", text, StringComparison.Ordinal);
        Assert.Contains("4 (4 succeeded, 0 failed)", text, StringComparison.Ordinal);
        Assert.Contains("3MiB (3,145,728 bytes)", text, StringComparison.Ordinal);
        Assert.Contains("1MiB (1,048,576 bytes) (after compression)", text, StringComparison.Ordinal);
        Assert.Contains("1.5MiB/s", text, StringComparison.Ordinal);
        Assert.Contains("2.00 s", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_log_path_is_brs_in_the_temp_folder()
    {
        var path = JobRunner.DefaultLogPath(new DateTimeOffset(2024, 5, 1, 8, 9, 10, TimeSpan.FromHours(-5.5)));
        Assert.Equal(Path.Combine(Path.GetTempPath(), "br.log.2024-05-01T08.09.10-0530"), path);
    }

    [Fact]
    public void Status_addresses_take_an_ip_or_localhost_and_any_port()
    {
        Assert.Equal("127.0.0.1:0", JobRunner.StatusEndPoint("localhost:0")!.ToString());
        Assert.Equal("0.0.0.0:9090", JobRunner.StatusEndPoint("0.0.0.0:9090")!.ToString());
        Assert.Null(JobRunner.StatusEndPoint(""));
        Assert.Throws<CliUsageException>(() => JobRunner.StatusEndPoint("9090"));
        Assert.Throws<CliUsageException>(() => JobRunner.StatusEndPoint("example.com:9090"));
    }
}
