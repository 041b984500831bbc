using Cairn.Br.Tests.Cli;

namespace Cairn.Br.Tests.LocalServer;

/// <summary><c>--local-server</c> misused, with br as a process: exit 2, one line naming the problem, nothing connected to or written.</summary>
public sealed class LocalServerFlagTests : IDisposable
{
    private readonly TempDirectory _dir = new("br-local-server-flags");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("--local-server serves a folder of this machine", "backup", "full", "-s", "s3://bucket/prefix?access-key=AKIDLOCAL&secret-access-key=SECRETLOCAL", "--local-server")]
    [InlineData("--local-server-addr needs --local-server", "restore", "full", "-s", "{storage}", "--local-server-addr", "127.0.0.1:0")]
    [InlineData("is not host:port", "backup", "full", "-s", "{storage}", "--local-server", "--local-server-addr", "nowhere")]
    public async Task Misuse_exits_2_naming_the_problem(string named, params string[] args)
    {
        var storage = _dir.Sub("backup");
        string[] full = [.. args.Select(a => a.Replace("{storage}", "local://" + storage, StringComparison.Ordinal)), "-u", "127.0.0.1:1"];

        var (exit, _, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(1), full);

        Assert.True(exit == 2, $"br {string.Join(' ', full)} exited with {exit}: {stderr}");
        var line = Assert.Single(BrProcess.Messages(stderr));
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETLOCAL", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(storage));
    }
}
