using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cairn.Cluster.Tests;

/// <summary><c>cairn playground</c> as a process: pd and three store processes come up, and SIGTERM stops them all.</summary>
public sealed partial class PlaygroundProcessTests
{
    [Fact]
    public async Task Playground_starts_three_stores_that_pd_lists_as_up_and_sigterm_stops_every_child()
    {
        using var dir = new TempDirectory("playground");
        await using var process = ProcessRunner.StartCairn("playground", "--stores", "3", "--dir", dir.Path);
        var childPids = new List<int>();
        try
        {
            var http = (await process.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(120))).Groups["http"].Value;
            childPids.AddRange(process.StdoutLines.Select(l => PidLine().Match(l)).Where(m => m.Success)
                .Select(m => int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture)));

            Assert.Equal(4, childPids.Count);
            Assert.All(childPids, pid => Assert.True(IsRunning(pid), $"child {pid} is not running"));

            using var client = new HttpClient { BaseAddress = new Uri(http), Timeout = TimeSpan.FromSeconds(30) };
            using var stores = JsonDocument.Parse(await client.GetStringAsync("/pd/api/v1/stores"));
            var list = stores.RootElement.GetProperty("stores").EnumerateArray().ToList();
            Assert.Equal(3, list.Count);
            Assert.All(list, s => Assert.Equal("Up", s.GetProperty("store").GetProperty("state_name").GetString()));

            Assert.Equal(0, await process.TerminateAsync(TimeSpan.FromSeconds(120)));
            foreach (var pid in childPids)
            {
                Assert.False(IsRunning(pid), $"child {pid} outlived the playground");
            }
        }
        finally
        {
            // The runner stops the playground; a child that outlived it is this test's to stop too.
            foreach (var pid in childPids.Where(IsRunning))
            {
                using var child = Process.GetProcessById(pid);
                child.Kill();
            }
        }
    }

    [Fact]
    public async Task Playground_exits_non_zero_when_a_child_cannot_start()
    {
        using var dir = new TempDirectory("playground");
        // pd's data folder is a file: pd cannot start.
        await File.WriteAllTextAsync(dir.Sub("pd"), "not a folder");
        var (exitCode, _, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromSeconds(120), "playground", "--stores", "1", "--dir", dir.Path);
        Assert.Equal(1, exitCode);
        Assert.Contains("pd exited", stderr, StringComparison.Ordinal);
    }

    // A pid can be reused, but not within the few milliseconds of this check; a zombie is not running either.
    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            if (p.HasExited)
            {
                return false;
            }

            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"\bpid (?<pid>\d+)\b")]
    private static partial Regex PidLine();

    [GeneratedRegex(@"^playground ready: pd \S+ \(http (?<http>\S+)\)")]
    private static partial Regex ReadyLine();
}
