using System.Text.RegularExpressions;
using Cairn.Br.Checkpoint;
using Cairn.Br.Metadata;
using Cairn.Client.Txn;
using Cairn.Pd.Client;
using Xunit.Abstractions;

namespace Cairn.Br.Tests.Cli;

/// <summary>
/// <c>br</c> killed with SIGKILL and run again, every step a process: a rate-limited backup killed once its
/// checkpoint holds a flushed segment resumes on the second run and ends with the source's checksums; a restore of it
/// killed once its checkpoint in the target cluster records ingested groups resumes into the tables it created, ends
/// verified with the source's rows, and leaves the store in normal mode with nothing of its own staged in the import
/// folder (what the killed run had downloaded and not ingested stays there until the store restarts).
/// </summary>
public sealed partial class KilledBrResumeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Db = "kr";
    private const int Tables = 3;
    private const int Rows = 8000;
    private static readonly TimeSpan BrTimeout = TimeSpan.FromMinutes(3);
    private readonly TempDirectory _dir = new("br-killed");
    private Playground? _source;
    private Playground? _target;

    private Playground Source => _source!;

    private Playground Target => _target!;

    public async Task InitializeAsync()
    {
        var source = Playground.StartAsync(1);
        var target = Playground.StartAsync(1);
        await Task.WhenAll(source, target).ContinueWith(_ => { }, TaskScheduler.Default);
        _source = source.IsCompletedSuccessfully ? await source : null;
        _target = target.IsCompletedSuccessfully ? await target : null;
        await Task.WhenAll(source, target);
        await Source.CairnAsync(TimeSpan.FromMinutes(3), "workload", "sysbench", "--pd", Source.Pd, "--db", Db, "--tables", $"{Tables}", "--rows", $"{Rows}");
    }

    public async Task DisposeAsync()
    {
        if (_source is not null)
        {
            await _source.DisposeAsync();
        }

        if (_target is not null)
        {
            await _target.DisposeAsync();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task A_backup_and_a_restore_killed_with_sigkill_finish_when_run_again_with_the_sources_checksums()
    {
        var backup = "local://" + _dir.Sub("backup");
        string[] backupArgs = ["backup", "db", "-u", Source.Pd, "-s", backup, "--db", Db, "--concurrency", "1"];
        await KillOnceAsync([.. backupArgs, "--ratelimit", "1", "--checkpoint-flush-interval", "300ms"], "backup-killed.log",
            () => Task.FromResult(Directory.Exists(_dir.Sub("backup/checkpoint")) && Directory.EnumerateFiles(_dir.Sub("backup/checkpoint"), "ranges.*").Any()), "a flushed checkpoint segment");
        Assert.False(File.Exists(_dir.Sub("backup/" + BackupFiles.Meta)));
        var resumedBackup = await BrOkAsync(backupArgs, "backup-again.log");
        Assert.Matches(ResumedBackup(), resumedBackup);

        await using var pd = await PdClient.ConnectAsync([Target.Pd]);
        await using var client = new TxnClient(pd);
        var checkpoint = RestoreCheckpointStore.InCluster(client);
        string[] restoreArgs = ["restore", "db", "-u", Target.Pd, "-s", backup, "--db", Db, "--concurrency", "1"];
        await KillOnceAsync([.. restoreArgs, "--ratelimit", "1", "--checkpoint-flush-interval", "300ms"], "restore-killed.log",
            async () => (await checkpoint.ReadAsync(CancellationToken.None))?.Ingested.Count > 0, "ingested groups in the restore checkpoint");
        // The killed run's downloads that never reached an ingest stay staged on the store (nothing asks for them any
        // more; the store drops them when it restarts): the run again must add none of its own.
        // The store finishes a download the killed br had asked for (and stages it) on its own: wait for that first.
        // (bounded; a download the store gave up keeps its temporary file, which counts as the killed run's).
        for (var settle = System.Diagnostics.Stopwatch.StartNew(); settle.Elapsed < TimeSpan.FromSeconds(30) && Staged().Any(f => f.Contains("/.temp/", StringComparison.Ordinal));)
        {
            await Task.Delay(200);
        }

        var killedLeft = Staged();
        var resumedRestore = await BrOkAsync(restoreArgs, "restore-again.log");
        Assert.Matches(ResumedRestore(), resumedRestore);
        Assert.False(await checkpoint.ExistsAsync(CancellationToken.None));

        for (var t = 1; t <= Tables; t++)
        {
            Assert.Equal(Kvs(await CairnAsync(Source, "table", "checksum", $"{Db}.sbtest{t}")), Kvs(await CairnAsync(Target, "table", "checksum", $"{Db}.sbtest{t}")));
        }

        await Target.CairnAsync(TimeSpan.FromMinutes(2), "workload", "sysbench", "--pd", Target.Pd, "--db", Db, "--tables", $"{Tables}", "--rows", $"{Rows}", "--verify-only");
        var storeLog = File.ReadAllLines(Path.Combine(Target.Dir, "store0.log"));
        Assert.True(Array.FindLastIndex(storeLog, l => l.Contains("Import mode off", StringComparison.Ordinal)) > Array.FindLastIndex(storeLog, l => l.Contains("Import mode on", StringComparison.Ordinal)),
            "the store is still in import mode");
        var left = Staged().Except(killedLeft).ToList();
        Assert.True(left.Count == 0, "staged files left by the resumed restore: " + string.Join(", ", left));
        output.WriteLine($"staged files left by the killed restore: {killedLeft.Count}");
    }

    /// <summary>Every file in the target store's import folder (downloads and staged SSTs).</summary>
    private List<string> Staged() =>
        [.. Target.StoreDirs.SelectMany(d => Directory.Exists(Path.Combine(d, "import")) ? Directory.EnumerateFiles(Path.Combine(d, "import"), "*", SearchOption.AllDirectories) : [])];

    /// <summary>Starts br, waits (bounded) until <paramref name="progressed"/>, and kills it with SIGKILL; fails if br ended first.</summary>
    private async Task KillOnceAsync(string[] args, string log, Func<Task<bool>> progressed, string what)
    {
        await using var br = BrProcess.Start(_dir.Path, [.. args, "--log-file", _dir.Sub(log)]);
        await Eventually.UntilAsync(async () => br.HasExited || await progressed(), BrTimeout, () => $"br {args[0]} to record {what}:\n{br.Stderr}");
        Assert.False(br.HasExited, $"br {args[0]} ended before it could be killed:\n{br.Stdout}\n{br.Stderr}");
        await br.KillAsync();
        output.WriteLine($"br {args[0]} killed after {what}");
    }

    private async Task<string> BrOkAsync(string[] args, string log)
    {
        var path = _dir.Sub(log);
        var (exit, stdout, stderr) = await BrProcess.RunAsync(_dir.Path, BrTimeout, [.. args, "--log-file", path]);
        Assert.True(exit == 0, $"br {string.Join(' ', args)} exited {exit}:\n{stdout}\n{stderr}");
        Assert.Empty(BrProcess.Messages(stderr));
        return await File.ReadAllTextAsync(path);
    }

    private static async Task<string> CairnAsync(Playground cluster, params string[] args)
    {
        var (exit, stdout, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), [.. args, "--pd", cluster.Pd]);
        Assert.True(exit == 0, $"cairn {string.Join(' ', args)}: {stderr}");
        return stdout.Trim();
    }

    private static string Kvs(string checksum) => KvsPart().Match(checksum).Value;

    [GeneratedRegex(@"total_kvs \d+\s+total_bytes \d+")]
    private static partial Regex KvsPart();

    [GeneratedRegex(@"resumes from its checkpoint: backup ts \d+, service safepoint br-[0-9a-f-]+, [1-9]\d* pieces already done")]
    private static partial Regex ResumedBackup();

    [GeneratedRegex(@"restore resumes from the checkpoint in the target cluster \(meta key BRRestoreCheckpoint\): [1-9]\d* tables created, [1-9]\d* file groups ingested")]
    private static partial Regex ResumedRestore();
}
