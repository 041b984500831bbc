namespace Cairn.EndToEnd.Tests;

/// <summary>
/// The README's promise, checked on the built executable: bad usage exits 2 with one line that points to --help, a
/// failure exits 1 with one line, and neither prints a stack trace. No pd listens on port 1, so a command that
/// validated its numbers only after connecting would exit 1 with a connection error instead of 2.
/// </summary>
public sealed class CliErrorTests
{
    private const string NoPd = "127.0.0.1:1";

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("db", "ls")]
    [InlineData("db", "ls", "--pd", NoPd, "--bogus")]
    [InlineData("workload", "sysbench", "--pd", NoPd, "--tables", "abc")]
    [InlineData("db", "ls", "--pd", "127.0.0.1:99999")]
    [InlineData("db", "ls", "--pd", "")]
    [InlineData("db", "ls", "--pd", "https://127.0.0.1:2379")]
    [InlineData("db", "ls", "--pd", "127.0.0.1:2379,127.0.0.1:99999")]
    [InlineData("store", "--addr", "127.0.0.1:0", "--data-dir", "/tmp/never-created-by-cairn", "--pd", "https://127.0.0.1:2379")]
    [InlineData("ddl", "create-db", "", "--pd", NoPd)]
    [InlineData("ddl", "create-db", "  ", "--pd", NoPd)]
    [InlineData("workload", "sysbench", "--pd", NoPd, "--tables", "-1")]
    [InlineData("workload", "sysbench", "--pd", NoPd, "--batch", "-5")]
    [InlineData("workload", "sysbench", "--pd", NoPd, "--batch", "0")]
    [InlineData("workload", "sysbench", "--pd", NoPd, "--rows", "-3")]
    [InlineData("workload", "bank", "--pd", NoPd, "--accounts", "0")]
    [InlineData("workload", "bank", "--pd", NoPd, "--accounts", "1")]
    [InlineData("workload", "bank", "--pd", NoPd, "--workers", "0")]
    [InlineData("workload", "bank", "--pd", NoPd, "--transfers", "-1")]
    [InlineData("workload", "catalog-zoo", "--pd", NoPd, "--rows", "-1")]
    [InlineData("workload", "bank", "--pd", NoPd, "--verify-only", "--duration", "5s")]
    [InlineData("workload", "bank", "--pd", NoPd, "--at", "5")]
    [InlineData("workload", "bank", "--pd", NoPd, "--skip-load", "--duration", "5x")]
    [InlineData("workload", "sysbench", "--pd", NoPd, "--run", "oltp-everything")]
    [InlineData("workload", "sysbench", "--pd", NoPd, "--run", "point-select-update", "--threads", "0")]
    [InlineData("workload", "sysbench", "--pd", NoPd, "--run", "point-select-update", "--duration", "-1s")]
    [InlineData("workload", "many-tables", "--pd", NoPd, "--count", "0")]
    [InlineData("table", "checksum", "a.b", "--pd", NoPd, "--as-table-id", "0")]
    [InlineData("table", "checksum", "a.b", "--pd", NoPd, "--at", "yesterday")]
    [InlineData("playground", "--stores", "0")]
    [InlineData("pd", "--data-dir", "/tmp/x", "--unknown-flag")]
    public async Task Bad_usage_exits_2_with_one_line_pointing_to_help(params string[] args)
    {
        var (exitCode, _, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), args);

        Assert.True(exitCode == 2, $"cairn {string.Join(' ', args)} exited with {exitCode}: {stderr}");
        AssertOneLine(stderr);
        Assert.Contains("--help", stderr);
    }

    [Theory]
    [InlineData("playground", "--dir", "/proc/cairn-cannot-create")]
    [InlineData("pd", "--addr", "127.0.0.1:0", "--data-dir", "/proc/cairn-cannot-create")]
    [InlineData("store", "--addr", "127.0.0.1:0", "--data-dir", "/proc/cairn-cannot-create")]
    [InlineData("smoke", "--keys", "10", "--work-dir", "/proc/cairn-cannot-create")]
    [InlineData("db", "ls", "--pd", NoPd)]
    public async Task Failures_exit_1_with_one_line_and_no_stack(params string[] args)
    {
        var (exitCode, _, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(2), args);

        Assert.True(exitCode == 1, $"cairn {string.Join(' ', args)} exited with {exitCode}: {stderr}");
        AssertOneLine(stderr);
    }

    private static void AssertOneLine(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{stderr}");
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("Exception:", stderr);
    }
}
