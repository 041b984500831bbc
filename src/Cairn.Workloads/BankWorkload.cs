using Cairn.Client;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;
using Cairn.Workloads.Bulk;

namespace Cairn.Workloads;

/// <summary>
/// Bank transfers: <see cref="Accounts"/> accounts with <see cref="InitialBalance"/> each; concurrent transfers move
/// random amounts between random accounts in one transaction each; the invariant is that the total never changes
/// and no balance goes negative, at any snapshot.
/// </summary>
public sealed class BankWorkload(CatalogClient catalog)
{
    /// <summary>Database name.</summary>
    public string Database { get; init; } = "bank";

    /// <summary>Number of accounts.</summary>
    public int Accounts { get; init; } = 100;

    /// <summary>Starting balance of each account.</summary>
    public long InitialBalance { get; init; } = 1_000;

    /// <summary>Creates the accounts table and its rows.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        // Fewer than two accounts leaves only self-transfers, which the invariant check would count twice.
        ArgumentOutOfRangeException.ThrowIfLessThan(Accounts, 2, nameof(Accounts));
        await CreateTableAsync(cancellationToken).ConfigureAwait(false);
        var table = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await table.InsertManyAsync(Enumerable.Range(0, Accounts).Select(Account), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the same accounts table as <see cref="LoadAsync"/> and loads the same rows without transactions (<see cref="BulkLoader"/>).</summary>
    public async Task<BulkLoadResult> BulkLoadAsync(BulkLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Accounts, 2, nameof(Accounts));
        await CreateTableAsync(cancellationToken).ConfigureAwait(false);
        return await new BulkLoader(catalog, options).LoadAsync([new BulkTable(Database, "accounts", Accounts, n => Account((int)n))], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="workers"/> concurrent transfer loops until cancelled or <paramref name="transfers"/> each; returns the committed count.</summary>
    public async Task<long> RunAsync(int workers, int transfers, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(transfers);
        return (await RunLoopsAsync(workers, transfers, null, cancellationToken).ConfigureAwait(false)).Committed;
    }

    /// <summary>
    /// Runs <paramref name="workers"/> concurrent transfer loops on the existing table for <paramref name="duration"/>
    /// (or until cancelled), at most <paramref name="transfers"/> each when given.
    /// </summary>
    public Task<BankRunResult> RunForAsync(int workers, TimeSpan duration, int? transfers = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return RunLoopsAsync(workers, transfers ?? int.MaxValue, duration, cancellationToken);
    }

    private async Task<BankRunResult> RunLoopsAsync(int workers, int transfers, TimeSpan? duration, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Accounts, 2, nameof(Accounts));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(transfers);
        var table = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var retriesBefore = catalog.Client.RetryCount;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        long done = 0;
        long givenUp = 0;
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w * 7919 + 1);
            for (var i = 0; i < transfers && !cancellationToken.IsCancellationRequested && (duration is null || watch.Elapsed < duration); i++)
            {
                var from = random.Next(Accounts);
                var to = (from + 1 + random.Next(Accounts - 1)) % Accounts;
                var amount = random.Next(1, 50);
                try
                {
                    await table.WriteAsync(async txn =>
                    {
                        var a = await table.GetAsync(txn, new RowHandle(from, null), cancellationToken).ConfigureAwait(false);
                        var b = await table.GetAsync(txn, new RowHandle(to, null), cancellationToken).ConfigureAwait(false);
                        if (a is null || b is null || a["balance"].Int64 < amount)
                        {
                            return false;
                        }

                        await table.UpdateAsync(txn, new RowHandle(from, null), new Dictionary<string, Datum> { ["balance"] = Datum.FromInt64(a["balance"].Int64 - amount) }, cancellationToken).ConfigureAwait(false);
                        await table.UpdateAsync(txn, new RowHandle(to, null), new Dictionary<string, Datum> { ["balance"] = Datum.FromInt64(b["balance"].Int64 + amount) }, cancellationToken).ConfigureAwait(false);
                        return true;
                    }, cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref done);
                }
                catch (ClientException e) when (e.IsRetryable)
                {
                    // Out of retries under contention: the transfer did not happen, which keeps the invariant.
                    Interlocked.Increment(ref givenUp);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
            }
        }, CancellationToken.None)).ToArray();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return new BankRunResult(done, catalog.Client.RetryCount - retriesBefore, givenUp, watch.Elapsed);
    }

    /// <summary>Checks the invariant at <paramref name="ts"/> (latest when null). Returns the problems found.</summary>
    public async Task<IReadOnlyList<string>> VerifyAsync(ulong? ts = null, CancellationToken cancellationToken = default)
    {
        var table = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.ScanAsync(ts, cancellationToken).ConfigureAwait(false);
        var problems = new List<string>();
        if (rows.Count != Accounts)
        {
            problems.Add($"{rows.Count} accounts, expected {Accounts}");
        }

        var total = rows.Sum(r => r["balance"].Int64);
        if (total != Accounts * InitialBalance)
        {
            problems.Add($"total balance {total}, expected {Accounts * InitialBalance}");
        }

        problems.AddRange(rows.Where(r => r["balance"].Int64 < 0).Select(r => $"account {r["id"].Int64} is negative"));
        problems.AddRange(await table.CheckIndexesAsync(ts, cancellationToken).ConfigureAwait(false));
        return problems;
    }

    private async Task CreateTableAsync(CancellationToken cancellationToken)
    {
        if (await catalog.GetDatabaseAsync(Database, null, cancellationToken).ConfigureAwait(false) is null)
        {
            await catalog.CreateDatabaseAsync(Database, cancellationToken).ConfigureAwait(false);
        }

        await catalog.CreateTableAsync(Database, new TableInfo
        {
            Name = new CIStr("accounts"),
            Columns = [WorkloadColumns.Int("id"), WorkloadColumns.Int("balance")],
            Indexes = [WorkloadColumns.Index("PRIMARY", true, true, "id"), WorkloadColumns.Index("balance_idx", false, false, "balance")],
        }, cancellationToken).ConfigureAwait(false);
    }

    private IReadOnlyDictionary<string, Datum> Account(int id) => new Dictionary<string, Datum>
    {
        ["id"] = Datum.FromInt64(id),
        ["balance"] = Datum.FromInt64(InitialBalance),
    };

    private Task<Table> OpenAsync(CancellationToken cancellationToken) => Table.OpenAsync(catalog, Database, "accounts", cancellationToken);
}
