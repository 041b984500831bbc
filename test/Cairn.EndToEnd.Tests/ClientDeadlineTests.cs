using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.EndToEnd.Tests;

/// <summary>What a client command does when pd goes away under it: fail within its budgets, saying what it waits for.</summary>
public sealed partial class ClientDeadlineTests
{
    [Fact]
    public async Task Bank_fails_within_its_budgets_after_pd_dies_and_says_what_it_waits_for()
    {
        await using var playground = await PlaygroundProcess.StartAsync(1);
        await using var bank = ProcessRunner.StartCairn("workload", "bank", "--pd", playground.Pd, "--accounts", "20", "--workers", "4", "--transfers", "100000");

        // Transfers are running once the accounts table holds its rows.
        await Eventually.UntilAsync(async () =>
        {
            var (exitCode, stdout, _) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), "table", "count", "bank.accounts", "--pd", playground.Pd);
            return exitCode == 0 && stdout.Trim() == "20";
        }, TimeSpan.FromMinutes(2), () => $"the bank workload to load its accounts (bank exited: {bank.HasExited}):\n{bank.Stderr}");
        Assert.False(bank.HasExited, $"bank exited early:\n{bank.Stderr}");

        var pd = int.Parse(playground.Stdout.Select(l => PdLine().Match(l)).First(m => m.Success).Groups["pid"].Value, CultureInfo.InvariantCulture);
        var killed = Stopwatch.StartNew();
        Process.Start("kill", ["-KILL", pd.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();

        // The write budget is 40 s and a timestamp wait 20 s; without one deadline the retries added up to 680 s.
        Assert.True(await bank.WaitForExitAsync(TimeSpan.FromSeconds(120)), $"bank still running {killed.Elapsed} after pd died:\n{bank.Stderr}");
        Assert.Equal(1, bank.ExitCode);
        var lines = bank.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var waiting = lines.Count(l => l.Contains("waiting for", StringComparison.Ordinal));
        Assert.True(waiting >= 1, $"no line said what the client waited for:\n{bank.Stderr}");
        // Rate-limited: about one line per 5 s, not one per retry.
        Assert.True(waiting <= (killed.Elapsed.TotalSeconds / 5) + 2, $"{waiting} waiting lines in {killed.Elapsed}:\n{bank.Stderr}");
        Assert.DoesNotContain(lines, l => l.StartsWith("   at ", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^pd\s+pid (?<pid>\d+)")]
    private static partial Regex PdLine();
}
