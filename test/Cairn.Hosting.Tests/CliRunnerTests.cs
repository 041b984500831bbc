using System.CommandLine;

namespace Cairn.Hosting.Tests;

public sealed class CliRunnerTests
{
    private static RootCommand Root(Func<int> action)
    {
        var root = new RootCommand("test");
        var run = new Command("run");
        run.SetAction(_ => action());
        root.Subcommands.Add(run);
        return root;
    }

    private static async Task<(int Code, string Error)> RunAsync(Func<int> action, params string[] args)
    {
        using var error = new StringWriter();
        var code = await CliRunner.RunAsync(Root(action), "br", args, error);
        return (code, error.ToString().Trim());
    }

    [Fact]
    public async Task A_command_that_succeeds_exits_with_its_own_code()
    {
        var (code, error) = await RunAsync(() => ExitCodes.Ok, "run");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Empty(error);
    }

    [Fact]
    public async Task Bad_usage_exits_2_with_one_line_naming_the_command_and_help()
    {
        var (code, error) = await RunAsync(() => ExitCodes.Ok, "walk");
        Assert.Equal(ExitCodes.BadUsage, code);
        Assert.Single(error.Split('\n'));
        Assert.Contains("(see 'br --help')", error);

        (code, error) = await RunAsync(() => throw new CliUsageException("--ratelimit must be bytes\nper second"), "run");
        Assert.Equal(ExitCodes.BadUsage, code);
        Assert.Equal("br run: --ratelimit must be bytes per second (see 'br run --help')", error);
    }

    [Fact]
    public async Task A_failure_exits_1_with_one_line_and_no_stack_trace()
    {
        var (code, error) = await RunAsync(() => throw new CliFailureException("cannot create --dir /x"), "run");
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal("br run: cannot create --dir /x", error);

        (code, error) = await RunAsync(() => throw new InvalidOperationException("surprise"), "run");
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal("br run: surprise (InvalidOperationException)", error);
    }
}
