namespace Cairn.EndToEnd.Tests;

/// <summary>
/// Nothing a job starts outlives it: a playground stopped with SIGTERM takes pd and its stores with it, and the main
/// job (<c>scripts/run.sh</c>, at its smallest size, on the binaries built next to the tests) backs up, restores,
/// verifies, prints its summary and leaves no process behind (<c>CAIRN_TEST_RUN_SH=0</c> skips that one: see
/// <see cref="MainJobFactAttribute"/>).
/// </summary>
public sealed class NoProcessLeftTests
{
    [Fact]
    public async Task A_playground_stopped_with_sigterm_leaves_no_pd_or_store_running()
    {
        await using var playground = await PlaygroundProcess.StartAsync(2);
        var children = JobProcesses.Matching(playground.Dir + "/");
        Assert.True(children.Count >= 3, $"expected pd and two stores under {playground.Dir}, found:\n{string.Join('\n', children)}");

        var exitCode = await playground.TerminateAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, exitCode);
        await Eventually.UntilAsync(() => JobProcesses.Matching(playground.Dir).Count == 0, TimeSpan.FromSeconds(30),
            () => $"every process of the playground to exit; still running:\n{string.Join('\n', JobProcesses.Matching(playground.Dir))}");
    }

    [MainJobFact]
    public async Task The_main_job_backs_up_restores_verifies_and_leaves_no_process()
    {
        using var tmp = new TempDirectory("run-sh");
        var environment = new Dictionary<string, string?>
        {
            ["BIN_DIR"] = AppContext.BaseDirectory,
            ["ROWS"] = "300",
            ["BANK_ROUND"] = "3s",
            // The job's folder is made under TMPDIR, so this test's folder names every process the job starts.
            ["TMPDIR"] = tmp.Path,
        };

        var (exitCode, stdout, stderr) = await ProcessRunner.RunAsync("bash", [RepoPaths.Script("run.sh")], TimeSpan.FromMinutes(12), environment: environment);

        Assert.True(exitCode == 0, $"run.sh exited with {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("| data size", stdout, StringComparison.Ordinal);
        Assert.Contains("| restore", stdout, StringComparison.Ordinal);
        Assert.Contains("equal to A at the backup ts", stdout, StringComparison.Ordinal);
        Assert.Contains("run: all steps passed", stdout, StringComparison.Ordinal);
        Assert.Contains("run: no process of the job is left", stdout, StringComparison.Ordinal);
        Assert.Empty(JobProcesses.Matching(tmp.Path));
    }
}
