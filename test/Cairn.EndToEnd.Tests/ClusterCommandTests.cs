using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Cairn.EndToEnd.Tests;

/// <summary>
/// The commands people use against a running cluster, each run as its own process against a playground that is
/// itself a tree of processes (pd and a store).
/// </summary>
public sealed partial class ClusterCommandTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cairn-e2e-" + Guid.NewGuid().ToString("N"));
    private Process? _playground;
    private string _pd = "";

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { CairnProcess.DllPath, "playground", "--stores", "1", "--dir", _dir })
        {
            start.ArgumentList.Add(arg);
        }
        _playground = Process.Start(start) ?? throw new InvalidOperationException("the playground did not start");
        _ = _playground.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await _playground.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            var ready = ReadyLine().Match(line);
            if (ready.Success)
            {
                _pd = ready.Groups["pd"].Value;
                return;
            }
        }
        throw new InvalidOperationException($"the playground exited with {_playground.ExitCode} before it was ready");
    }

    public async Task DisposeAsync()
    {
        if (_playground is { HasExited: false })
        {
            // SIGTERM: the playground stops its children itself.
            Process.Start("kill", ["-TERM", _playground.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            try
            {
                await _playground.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _playground.Kill(entireProcessTree: true);
            }
        }
        _playground?.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Workload_table_and_ddl_commands_work_against_a_playground()
    {
        var load = await Cairn("workload", "sysbench", "--pd", _pd, "--tables", "2", "--rows", "300");
        Assert.Contains("loaded 2 × 300 rows", load);
        Assert.Contains("verified", await Cairn("workload", "sysbench", "--pd", _pd, "--tables", "2", "--rows", "300", "--verify-only"));

        Assert.Contains("sbtest", await Cairn("db", "ls", "--pd", _pd));
        Assert.Contains("sbtest2", await Cairn("table", "ls", "sbtest", "--pd", _pd));
        Assert.Equal("300", (await Cairn("table", "count", "sbtest.sbtest1", "--pd", _pd)).Trim());
        Assert.Matches("crc64xor [0-9a-f]{16}  total_kvs 600  total_bytes [1-9][0-9]*", await Cairn("table", "checksum", "sbtest.sbtest1", "--pd", _pd));

        await Cairn("ddl", "create-db", "scratch", "--pd", _pd);
        await Cairn("ddl", "rename-table", "sbtest.sbtest2", "scratch.moved", "--pd", _pd);
        Assert.Equal("300", (await Cairn("table", "count", "scratch.moved", "--pd", _pd)).Trim());
        Assert.DoesNotContain("sbtest2", await Cairn("table", "ls", "sbtest", "--pd", _pd));
    }

    [Fact]
    public async Task Bad_names_exit_2_and_missing_tables_exit_1_with_a_message()
    {
        var (badExit, _, badErr) = await CairnProcess.RunAsync(TimeSpan.FromMinutes(1), "table", "count", "no-dot-here", "--pd", _pd);
        Assert.Equal(2, badExit);
        Assert.False(string.IsNullOrWhiteSpace(badErr));

        var (missingExit, _, missingErr) = await CairnProcess.RunAsync(TimeSpan.FromMinutes(1), "table", "count", "nodb.notable", "--pd", _pd);
        Assert.Equal(1, missingExit);
        Assert.Contains("nodb", missingErr);
    }

    private static async Task<string> Cairn(params string[] args)
    {
        var (exitCode, stdout, stderr) = await CairnProcess.RunAsync(TimeSpan.FromMinutes(2), args);
        Assert.True(exitCode == 0, $"cairn {string.Join(' ', args)} exited with {exitCode}\n{stdout}\n{stderr}");
        return stdout;
    }

    [GeneratedRegex(@"^playground ready: pd (?:http://)?(?<pd>\S+) ")]
    private static partial Regex ReadyLine();
}
