using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.EndToEnd.Tests;

/// <summary>The playground as a process tree under kill -9: of one of its stores, and of the playground itself.</summary>
public sealed partial class PlaygroundSupervisionTests
{
    [Fact]
    public async Task A_killed_store_is_reported_the_rest_keep_serving_and_restart_dead_brings_it_back()
    {
        await using var playground = await PlaygroundProcess.StartAsync(2, "--restart-dead");
        var pids = StorePids(playground);
        Assert.Equal(2, pids.Count);

        Kill(pids[0]);
        await playground.WaitForLineAsync(Restarted(), TimeSpan.FromMinutes(1));
        Assert.False(playground.HasExited);
        Assert.True(IsAlive(pids[1]), "the other store was stopped");

        // The restarted store rejoined: a workload over both stores commits and verifies.
        var (exitCode, stdout, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(2),
            "workload", "bank", "--pd", playground.Pd, "--accounts", "20", "--workers", "2", "--transfers", "10");
        Assert.True(exitCode == 0, $"bank after the restart exited with {exitCode}\n{stdout}\n{stderr}");
    }

    [Fact]
    public async Task Without_restart_dead_a_killed_store_is_reported_and_pd_keeps_serving()
    {
        await using var playground = await PlaygroundProcess.StartAsync(2);
        var pids = StorePids(playground);
        Kill(pids[1]);

        await Eventually.UntilAsync(() => playground.Stderr.Contains("restart it with: cairn store", StringComparison.Ordinal), TimeSpan.FromSeconds(30),
            () => $"the report of the killed store in stderr:\n{playground.Stderr}");
        Assert.Single(playground.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("exited with", StringComparison.Ordinal));
        Assert.False(playground.HasExited);
        Assert.True(IsAlive(pids[0]));
        using var http = new HttpClient { BaseAddress = new Uri(playground.PdHttp), Timeout = TimeSpan.FromSeconds(30) };
        Assert.Contains("\"stores\"", await http.GetStringAsync("/pd/api/v1/stores"));
    }

    [Fact]
    public async Task Children_die_with_the_playground_even_on_kill_9()
    {
        await using var playground = await PlaygroundProcess.StartAsync(1);
        var children = StorePids(playground).Append(PdPid(playground)).ToList();
        Assert.All(children, pid => Assert.True(IsAlive(pid)));

        Kill(playground.Pid);
        await Eventually.UntilAsync(() => children.All(pid => !IsAlive(pid)), TimeSpan.FromSeconds(30),
            () => $"the children to die (still alive: {string.Join(' ', children.Where(IsAlive))})");
    }

    private static List<int> StorePids(PlaygroundProcess playground) =>
        [.. playground.Stdout.Select(l => StoreLine().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture))];

    private static int PdPid(PlaygroundProcess playground) =>
        int.Parse(playground.Stdout.Select(l => PdLine().Match(l)).First(m => m.Success).Groups["pid"].Value, CultureInfo.InvariantCulture);

    private static void Kill(int pid) => Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();

    // A zombie (exited, not yet reaped by its parent) counts as dead.
    private static bool IsAlive(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status))
        {
            return false;
        }

        try
        {
            return !File.ReadLines(status).Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z', StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^store \d+\s+pid (?<pid>\d+)")]
    private static partial Regex StoreLine();

    [GeneratedRegex(@"^pd\s+pid (?<pid>\d+)")]
    private static partial Regex PdLine();

    [GeneratedRegex(@"^store\d+ restarted: pid \d+")]
    private static partial Regex Restarted();
}
