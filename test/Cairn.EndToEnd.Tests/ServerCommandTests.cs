namespace Cairn.EndToEnd.Tests;

public sealed class ServerCommandTests
{
    [Theory]
    [InlineData("pd")]
    [InlineData("store")]
    public async Task Servers_take_the_same_log_levels_and_refuse_others_with_usage_exit_code(string server)
    {
        using var dir = new TempDirectory("e2e");
        var (exitCode, _, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1),
            server, "--addr", "127.0.0.1:0", "--data-dir", dir.Sub("data"), "--log-level", "loud");

        Assert.Equal(2, exitCode);
        Assert.Contains("trace, debug, info, warn, error or none", stderr);
        Assert.Contains("loud", stderr);
    }
}
