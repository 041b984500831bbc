using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.Faults.Tests;

/// <summary>
/// The steps of a fault case, on real processes: <c>br backup full</c> of A while bank transfers run, and
/// <c>br restore full</c> into B under new database names, each optionally under one fault; a job that fails must
/// fail with one clear line and complete when run again once the fault is gone; then every check that can catch a
/// wrong result: <c>br debug checksum</c> of the backup, <c>cairn table checksum</c> of each restored table against A
/// at the backup TS, row counts against the loaded sizes, sysbench's index check, the bank invariant in A at the
/// backup TS and in B, import mode off and no file left in the import folders of B's stores. A broken rule throws
/// <see cref="FaultViolationException"/>. Dispose releases what a case kept (a backup on a tmpfs).
/// </summary>
internal sealed partial class Jobs(FaultSource source, FaultCluster target) : IAsyncDisposable
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(2);
    private readonly List<IAsyncDisposable> _kept = [];

    /// <summary>Where each step writes one line (the test output, the soak's report).</summary>
    public Action<string> Log { get; init; } = _ => { };

    /// <summary>Runs <c>cairn ARGS</c> to its end; its stdout, or a throw with its output when it does not exit 0.</summary>
    public static async Task<string> CairnAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await ProcessRunner.RunCairnAsync(ToolTimeout, args);
        return exit == 0 ? stdout : throw new FaultViolationException($"cairn {string.Join(' ', args)} exited with {exit}: {Tail(stdout + "\n" + stderr)}");
    }

    /// <summary>A backup of A under transfers with no fault, checked; its URL and backup TS.</summary>
    public async Task<(string Url, ulong Ts)> BackUpCleanlyAsync(string url) =>
        await BackUpAsync(null, 0, url, null) ?? throw new InvalidOperationException("a backup without a fault needs nothing this machine could refuse");

    /// <summary>
    /// <c>br backup full</c> of A under bank transfers and <paramref name="fault"/>, to a new folder (or GCS prefix for a
    /// storage fault); checked with <c>br debug checksum</c> and the bank invariant at its TS. Returns where it is
    /// (reachable without the fault) and its backup TS, or null when the fault cannot be set up here (the reason is logged).
    /// </summary>
    public async Task<(string Url, ulong Ts)?> BackUpAsync(FaultKind? fault, int seed)
    {
        var name = source.NewName("bk");
        var path = source.Dir.Sub(name);
        var url = fault == FaultKind.StorageFaults ? source.GcsUrl(name) : "local://" + path;
        return await BackUpAsync(fault, seed, url, (path, name));
    }

    /// <summary>
    /// <c>br restore full</c> of <paramref name="backup"/> into B (its databases renamed with a fresh prefix) under
    /// <paramref name="fault"/>, then every check of the restored data against A at the backup TS; false when the
    /// fault cannot be set up here.
    /// </summary>
    public async Task<bool> RestoreAndVerifyAsync((string Url, ulong Ts) backup, FaultKind? fault, int seed, string? gcsPrefix = null)
    {
        var prefix = source.NewName("rs");
        // Files an earlier job left are that job's failure, reported there; this job answers for the ones it leaves.
        var leftBefore = target.LeftImportFiles().ToHashSet(StringComparer.Ordinal);
        var session = await FaultSession.OpenAsync(fault, backup: false, target, source, seed, "", gcsPrefix ?? "", []);
        await using (session)
        {
            if (session.Refusal is not null)
            {
                Log($"restore: {session.Refusal}");
                return false;
            }

            string[] Args(string url, string run) =>
            [
                "restore", "full", "-u", target.Pd, "-s", url,
                "--rename", $"{FaultSource.BankDb}.*={prefix}_bank.*", "--rename", $"{FaultSource.SysbenchDb}.*={prefix}_sb.*",
                "--log-file", source.Dir.Sub($"{prefix}-{run}.log"),
            ];
            await RunUnderFaultAsync("restore", session, Args(session.FaultyUrl ?? backup.Url, "first"), Args(backup.Url, "again"));
        }

        await VerifyRestoredAsync(prefix, backup.Ts, leftBefore);
        return true;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var kept in _kept)
        {
            await kept.DisposeAsync();
        }

        _kept.Clear();
    }

    private async Task<(string Url, ulong Ts)?> BackUpAsync(FaultKind? fault, int seed, string url, (string Path, string Name)? where)
    {
        var tables = new[] { (source.TableIds[$"{FaultSource.BankDb}.accounts"], (long)FaultSource.Accounts), (source.TableIds[$"{FaultSource.SysbenchDb}.sbtest1"], (long)FaultSource.Rows) };
        var session = await FaultSession.OpenAsync(fault, backup: true, source.A, source, seed, where?.Path ?? "", where?.Name ?? "", tables);
        // A backup on a tmpfs lives as long as the case (its restore reads it).
        _kept.Add(session);
        if (session.Refusal is not null)
        {
            Log($"backup: {session.Refusal}");
            return null;
        }

        var run = 0;
        // Only the loaded databases: a backup case restores into A itself, under other names.
        string[] Args(string u) => ["backup", "full", "-u", source.A.Pd, "-s", u, "-f", $"{FaultSource.BankDb}.*", "-f", $"{FaultSource.SysbenchDb}.*", "--log-file", source.Dir.Sub($"{where?.Name ?? "base"}-{++run}-{Guid.NewGuid():N}.log")];
        using var stop = new CancellationTokenSource();
        var transfers = new TransferLoop(source.CatalogA);
        var loop = transfers.RunAsync(stop.Token);
        string stdout;
        try
        {
            await Eventually.UntilAsync(() => loop.IsCompleted || transfers.Committed > 0, ToolTimeout, "bank transfers to commit before the backup");
            var before = transfers.Committed;
            stdout = await RunUnderFaultAsync("backup", session, Args(session.FaultyUrl ?? url), Args(url));
            if (transfers.Committed == before)
            {
                throw new FaultViolationException($"no bank transfer committed while the backup ran ({transfers.Describe()})");
            }
        }
        finally
        {
            await stop.CancelAsync();
            await loop;
        }

        Log($"transfers during the backup: {transfers.Describe()}");
        var ts = BackupTs().Match(stdout) is { Success: true } m ? ulong.Parse(m.Groups["ts"].Value, CultureInfo.InvariantCulture)
            : throw new FaultViolationException($"br backup printed no backup ts: {Tail(stdout)}");
        var checksum = await ProcessRunner.RunAsync(ProcessRunner.DotnetHost, [BrDll, "debug", "checksum", "-s", url, "--log-file", source.Dir.Sub($"checksum-{Guid.NewGuid():N}.log")], ToolTimeout);
        if (checksum.ExitCode != 0)
        {
            throw new FaultViolationException($"br debug checksum of {url} exited with {checksum.ExitCode}: {Tail(checksum.StandardOutput + checksum.StandardError)}");
        }

        await CairnAsync("workload", "bank", "--pd", source.A.Pd, "--db", FaultSource.BankDb, "--accounts", $"{FaultSource.Accounts}", "--verify-only",
            "--at", ts.ToString(CultureInfo.InvariantCulture));
        Log($"backup ts {ts}: br debug checksum passed, bank invariant holds in A at it");
        return (url, ts);
    }

    /// <summary>
    /// Runs br (<paramref name="first"/>) with the fault, lifts it, and when the first run did not complete, checks it
    /// failed clearly and runs <paramref name="again"/>, which must complete. Returns the completed run's stdout.
    /// </summary>
    private async Task<string> RunUnderFaultAsync(string what, FaultSession session, string[] first, string[] again)
    {
        var started = DateTime.UtcNow;
        int exit;
        string stdout, stderr;
        var br = StartBr(first);
        await using (br)
        {
            var alongside = session.RunAlongsideAsync(br, JobTimeout);
            if (!await br.WaitForExitAsync(JobTimeout))
            {
                throw new FaultViolationException($"br {what} did not end within {JobTimeout} under {string.Join("; ", session.Notes)}:\n{Tail(br.Stderr)}");
            }

            await alongside;
            (exit, stdout, stderr) = (br.ExitCode, br.Stdout, br.Stderr);
        }

        var left = await session.LiftAsync();
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        Log($"{what}: {string.Join("; ", session.Notes)}; first run exited {exit} after {seconds:0.0} s");
        if (left.Count > 0)
        {
            throw new FaultViolationException($"br {what} left files in the tiny import disk: {string.Join(", ", left)}");
        }

        if (exit == 0)
        {
            return stdout;
        }

        if (!session.KillsBr)
        {
            var messages = Messages(stderr);
            if (exit != 1 || messages.Length != 1 || (stdout + stderr).Contains("   at ", StringComparison.Ordinal))
            {
                throw new FaultViolationException($"br {what} did not fail with one clear line (exit {exit}):\n{Tail(stderr)}");
            }

            Log($"{what}: failed clearly: {messages[0]}");
        }

        var (again2, out2, err2) = await ProcessRunner.RunAsync(ProcessRunner.DotnetHost, [BrDll, .. again], JobTimeout, environment: BrEnvironment);
        if (again2 != 0)
        {
            throw new FaultViolationException($"br {what} run again after the fault exited with {again2}:\n{Tail(err2)}");
        }

        Log($"{what}: run again after the fault: completed");
        return out2;
    }

    /// <summary>The restored tables in the target against A at <paramref name="ts"/>, and the target's stores left clean.</summary>
    private async Task VerifyRestoredAsync(string prefix, ulong ts, HashSet<string> leftBefore)
    {
        var expected = await source.ChecksumsAtAsync(ts);
        var checks = new List<Task>();
        foreach (var (table, rows) in new[] { ($"{FaultSource.BankDb}.accounts", FaultSource.Accounts), ($"{FaultSource.SysbenchDb}.sbtest1", FaultSource.Rows) })
        {
            var restored = $"{prefix}_{(table.StartsWith(FaultSource.BankDb + ".", StringComparison.Ordinal) ? "bank" : "sb")}.{table.Split('.')[1]}";
            var id = source.TableIds[table].ToString(CultureInfo.InvariantCulture);
            checks.Add(Task.Run(async () =>
            {
                var sum = (await CairnAsync("table", "checksum", restored, "--pd", target.Pd, "--as-table-id", id)).Trim();
                if (sum != expected[table])
                {
                    throw new FaultViolationException($"{restored} restored: {sum}; {table} in A at {ts}: {expected[table]}");
                }
            }));
            checks.Add(Task.Run(async () =>
            {
                var count = (await CairnAsync("table", "count", restored, "--pd", target.Pd)).Trim();
                if (count != rows.ToString(CultureInfo.InvariantCulture))
                {
                    throw new FaultViolationException($"{restored} restored has {count} rows, the source {rows}");
                }
            }));
        }

        checks.Add(CairnAsync("workload", "sysbench", "--pd", target.Pd, "--db", $"{prefix}_sb", "--tables", "1", "--rows", $"{FaultSource.Rows}", "--verify-only"));
        checks.Add(CairnAsync("workload", "bank", "--pd", target.Pd, "--db", $"{prefix}_bank", "--accounts", $"{FaultSource.Accounts}", "--verify-only"));
        await Task.WhenAll(checks);
        if (target.StoresInImportMode() is { Count: > 0 } stuck)
        {
            throw new FaultViolationException($"still in import mode after the restore: {string.Join(", ", stuck)}");
        }

        List<string> Left() => [.. target.LeftImportFiles().Where(f => !leftBefore.Contains(f))];
        try
        {
            await Eventually.UntilAsync(() => Left().Count == 0, TimeSpan.FromSeconds(15), "import folders to empty");
        }
        catch (Exception e) when (e is not FaultViolationException)
        {
            throw new FaultViolationException($"the restore left {Left().Count} files in the import folders: {string.Join(", ", Left().Take(5))}");
        }

        Log($"restored {prefix}_*: checksums equal to A at {ts}, row counts, index and bank invariant hold; import mode off, import folders empty");
    }

    private static string BrDll => Path.Combine(AppContext.BaseDirectory, "br.dll");

    private static Dictionary<string, string?> BrEnvironment => new() { ["BR_LOG_TO_TERM"] = null };

    private static ProcessRunner StartBr(string[] args) => ProcessRunner.Start(ProcessRunner.DotnetHost, [BrDll, .. args], BrEnvironment);

    /// <summary>The lines of standard error that are not progress lines.</summary>
    private static string[] Messages(string stderr) =>
        [.. stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith("[progress]", StringComparison.Ordinal))];

    private static string Tail(string text) => text.Length <= 2000 ? text : "…" + text[^2000..];

    [GeneratedRegex(@"^\s*backup ts\s+(?<ts>\d+)", RegexOptions.Multiline)]
    private static partial Regex BackupTs();
}
