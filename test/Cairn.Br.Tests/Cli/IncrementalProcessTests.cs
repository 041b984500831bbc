using System.Text.RegularExpressions;

namespace Cairn.Br.Tests.Cli;

/// <summary>
/// The chain as a user runs it, every step a process: <c>cairn workload sysbench</c> loads a source playground,
/// <c>br backup full</c> takes a full backup, <c>--mutate</c> changes 10% of the rows, <c>br backup full
/// --incremental-from</c> takes the incremental, and <c>br restore full</c> of both, in order, into a second playground
/// gives the source's rows, checksum counts and a verified data set; out-of-chain restores exit 1 naming the TS.
/// </summary>
public sealed partial class IncrementalProcessTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("br-incremental");
    private Playground? _sourceCluster;
    private Playground? _targetCluster;

    private Playground Source => _sourceCluster!;

    private Playground Target => _targetCluster!;

    public async Task InitializeAsync()
    {
        _sourceCluster = await Playground.StartAsync(1);
        _targetCluster = await Playground.StartAsync(1);
    }

    public async Task DisposeAsync()
    {
        if (_sourceCluster is not null)
        {
            await _sourceCluster.DisposeAsync();
        }

        if (_targetCluster is not null)
        {
            await _targetCluster.DisposeAsync();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task A_full_backup_and_an_incremental_after_a_mutation_restore_in_order_through_br()
    {
        var full = "local://" + _dir.Sub("full");
        var inc = "local://" + _dir.Sub("inc");
        await Source.CairnAsync(TimeSpan.FromMinutes(2), "workload", "sysbench", "--pd", Source.Pd, "--db", "pc", "--tables", "1", "--rows", "600");
        await BrOkAsync("backup", "full", "-u", Source.Pd, "-s", full, "-f", "pc.*");
        var (mutateExit, mutated, mutateErr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(2), "workload", "sysbench", "--pd", Source.Pd, "--db", "pc", "--tables", "1", "--rows", "600", "--mutate", "10");
        Assert.True(mutateExit == 0, mutated + mutateErr);
        Assert.Matches(MutatedLine(), mutated);
        Assert.Contains("verified", mutated, StringComparison.Ordinal);
        var backup = await BrOkAsync("backup", "full", "-u", Source.Pd, "-s", inc, "-f", "pc.*", "--incremental-from", full);
        Assert.Contains("since ts", backup, StringComparison.Ordinal);

        // Into a target that restored nothing, the incremental is refused.
        var (exit, stdout, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(2), "restore", "full", "-u", Target.Pd, "-s", inc);
        Assert.True(exit == 1, $"exit {exit}: {stdout}{stderr}");
        Assert.Contains("no restored backup", stderr + stdout, StringComparison.Ordinal);

        await BrOkAsync("restore", "full", "-u", Target.Pd, "-s", full);
        await BrOkAsync("restore", "full", "-u", Target.Pd, "-s", inc);
        Assert.Equal(await CairnAsync(Source, "table", "count", "pc.sbtest1"), await CairnAsync(Target, "table", "count", "pc.sbtest1"));
        Assert.Equal(Kvs(await CairnAsync(Source, "table", "checksum", "pc.sbtest1")), Kvs(await CairnAsync(Target, "table", "checksum", "pc.sbtest1")));
        await Target.CairnAsync(TimeSpan.FromMinutes(2), "workload", "sysbench", "--pd", Target.Pd, "--db", "pc", "--tables", "1", "--rows", "600", "--verify-only");

        // The same incremental again is out of order.
        (exit, stdout, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(2), "restore", "full", "-u", Target.Pd, "-s", inc);
        Assert.True(exit == 1, $"exit {exit}: {stdout}{stderr}");
        Assert.Contains("out of order", stderr + stdout, StringComparison.Ordinal);
    }

    private async Task<string> BrOkAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await BrProcess.RunAsync(_dir.Path, TimeSpan.FromMinutes(3), [.. args, "--log-file", _dir.Sub(args[0] + "-" + Guid.NewGuid().ToString("N") + ".log")]);
        Assert.True(exit == 0, $"br {string.Join(' ', args)} exited {exit}:\n{stdout}\n{stderr}");
        return stdout;
    }

    private static async Task<string> CairnAsync(Playground cluster, params string[] args)
    {
        var (exit, stdout, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), [.. args, "--pd", cluster.Pd]);
        Assert.True(exit == 0, $"cairn {string.Join(' ', args)}: {stderr}");
        return stdout.Trim();
    }

    private static string Kvs(string checksum) => KvsPart().Match(checksum).Value;

    [GeneratedRegex(@"mutated pc\.sbtest1: \d+ updated, \d+ deleted, \d+ inserted of 600 rows")]
    private static partial Regex MutatedLine();

    [GeneratedRegex(@"total_kvs \d+\s+total_bytes \d+")]
    private static partial Regex KvsPart();
}
