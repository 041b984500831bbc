namespace Cairn.EndToEnd.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Smoke_passes_as_a_separate_process()
    {
        var (exitCode, stdout, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(3), "smoke", "--keys", "30000");

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("ok       scan after ingest", stdout);
        Assert.Contains("ok       checksum over the stream", stdout);
        Assert.Contains("30,000 kvs", stdout);
        Assert.EndsWith("smoke: all checks passed", stdout.TrimEnd());
    }

    [Fact]
    public async Task Smoke_rejects_a_bad_key_count_with_usage_exit_code()
    {
        var (exitCode, _, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), "smoke", "--keys", "0");

        Assert.Equal(2, exitCode);
        Assert.Contains("--keys must be positive", stderr);
    }

    [Fact]
    public async Task Unknown_command_fails_with_a_message()
    {
        var (exitCode, stdout, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), "no-such-command");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("no-such-command", stdout + stderr);
    }
}
