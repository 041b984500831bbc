using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using Cairn.Client;
using Cairn.Client.Regions;
using Cairn.Client.Txn;
using Xunit.Abstractions;

namespace Cairn.Cluster.Tests;

/// <summary>
/// The bank workload: concurrent transfers between accounts while a checker reads every account at many snapshot
/// timestamps; the total must never change, across region splits, region moves and a store restart.
/// </summary>
public sealed class BankTests(ITestOutputHelper output)
{
    private const int Accounts = 24;
    private const long InitialBalance = 1_000;
    private const int Workers = 4;
    private const int TransfersPerWorker = 150;

    private static byte[] Account(int i) => Encoding.UTF8.GetBytes($"bank/{i:D3}");

    private static byte[] Encode(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private static long Decode(byte[] value) => BinaryPrimitives.ReadInt64BigEndian(value);

    [Fact]
    public Task Transfers_keep_the_total_across_splits_moves_and_a_store_restart() =>
        RunBankAsync(async (cluster, pd, waitForCommits) =>
        {
            await waitForCommits(20);
            await ClusterSetup.SplitAsync(cluster, pd, [Account(4), Account(12), Account(20)], KeyMode.Txn);
            await waitForCommits(50);
            await ClusterSetup.ScatterAsync(cluster, pd, minStores: 3);
            await waitForCommits(20);
            await cluster.RestartStoreAsync(1);
        });

    [Fact]
    public Task Transfers_keep_the_total_across_a_store_kill_and_a_pd_restart() =>
        RunBankAsync(async (cluster, pd, waitForCommits) =>
        {
            await ClusterSetup.ScatterAsync(cluster, pd, minStores: 3);
            await waitForCommits(30);
            // Killed, then back after a pause long enough for clients to back off against it.
            await cluster.KillStoreAsync(2);
            await Task.Delay(300);
            await cluster.RestartStoreAsync(2);
            await waitForCommits(30);
            await cluster.RestartPdAsync();
        });

    /// <summary>
    /// Runs the workload while <paramref name="disrupt"/> acts on the cluster; its third argument waits until that many
    /// more transfers have committed.
    /// </summary>
    private async Task RunBankAsync(Func<TestCluster, Cairn.Pd.Client.PdClient, Func<int, Task>, Task> disrupt)
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 3 });
        await using var pd = await cluster.ConnectPdAsync();
        await using var client = new TxnClient(pd, new ClientOptions { MaxTransactionAttempts = 200 });
        const long total = Accounts * InitialBalance;

        await ClusterSetup.SplitAsync(cluster, pd, [Account(8), Account(16)], KeyMode.Txn);
        await client.RunInTransactionAsync(t =>
        {
            for (var i = 0; i < Accounts; i++)
            {
                t.Set(Account(i), Encode(InitialBalance));
            }

            return Task.CompletedTask;
        });

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var committed = 0;
        var failures = new ConcurrentQueue<Exception>();
        var violations = new ConcurrentQueue<string>();
        var checks = 0;
        var attempts = 0;
        var workersDone = false;
        var disruptionsDone = false;

        async Task WorkerAsync(int seed)
        {
            var random = new Random(seed);
            // Past its quota a worker keeps going until the disruptions are over, so they always hit live traffic.
            for (var n = 0; n < TransfersPerWorker || !Volatile.Read(ref disruptionsDone); n++)
            {
                var from = random.Next(Accounts);
                var to = (from + 1 + random.Next(Accounts - 1)) % Accounts;
                var amount = random.Next(1, 50);
                try
                {
                    await client.RunInTransactionAsync(async t =>
                    {
                        Interlocked.Increment(ref attempts);
                        var balances = await t.BatchGetAsync([Account(from), Account(to)], stop.Token);
                        var fromBalance = Decode(balances[Account(from)]);
                        var moved = Math.Min(amount, fromBalance);
                        t.Set(Account(from), Encode(fromBalance - moved));
                        t.Set(Account(to), Encode(Decode(balances[Account(to)]) + moved));
                    }, stop.Token);
                    Interlocked.Increment(ref committed);
                }
                catch (ClientException e)
                {
                    failures.Enqueue(e);
                }
            }
        }

        async Task CheckerAsync()
        {
            while (!Volatile.Read(ref workersDone))
            {
                var snapshot = await client.SnapshotAsync(stop.Token);
                var rows = await snapshot.ScanAsync(Account(0), Account(Accounts), cancellationToken: stop.Token);
                var sum = rows.Sum(r => Decode(r.Value));
                if (rows.Count != Accounts || sum != total)
                {
                    violations.Enqueue($"at ts {snapshot.Timestamp}: {rows.Count} accounts, total {sum}");
                }

                // The same snapshot through point reads must agree with the scan.
                var points = await snapshot.BatchGetAsync(Enumerable.Range(0, Accounts).Select(Account), stop.Token);
                if (points.Values.Sum(Decode) != total)
                {
                    violations.Enqueue($"at ts {snapshot.Timestamp}: batch get total {points.Values.Sum(Decode)}");
                }

                Interlocked.Increment(ref checks);
                await Task.Delay(2, stop.Token);
            }
        }

        async Task WaitForCommitsAsync(int count) =>
            await cluster.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref committed) >= count), $"{count} transfers");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var workers = Task.WhenAll(Enumerable.Range(0, Workers).Select(i => Task.Run(() => WorkerAsync(i))));
        var checker = Task.Run(CheckerAsync);
        var disruptions = Task.Run(async () =>
        {
            try
            {
                await disrupt(cluster, pd, more => WaitForCommitsAsync(Volatile.Read(ref committed) + more));
                var atEnd = Volatile.Read(ref committed);
                await WaitForCommitsAsync(atEnd + 20);
                return atEnd;
            }
            finally
            {
                Volatile.Write(ref disruptionsDone, true);
            }
        });

        var committedAtLastDisruption = await disruptions;
        await workers;
        Volatile.Write(ref workersDone, true);
        await checker;

        var final = await (await client.SnapshotAsync()).ScanAsync(Account(0), Account(Accounts));
        var regions = await pd.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0);
        output.WriteLine($"elapsed {clock.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine($"transfers committed {committed} (quota {Workers * TransfersPerWorker}), attempts {attempts}, retries {client.RetryCount}, " +
            $"snapshot checks {checks}, violations {violations.Count}, failures {failures.Count}, locks resolved {client.Resolver.ResolvedLocks}, " +
            $"secondary commit failures {client.SecondaryCommitFailures}, regions {regions.Count} on {regions.Select(r => r.Leader?.StoreId).Distinct().Count()} stores, " +
            $"committed when the last disruption ended {committedAtLastDisruption}");

        Assert.Empty(violations);
        Assert.Empty(failures);
        Assert.True(committed >= Workers * TransfersPerWorker);
        Assert.True(committed >= committedAtLastDisruption + 20, "transfers kept committing after the last disruption");
        Assert.True(checks >= 10, $"only {checks} snapshot checks ran");
        Assert.Equal(Accounts, final.Count);
        Assert.Equal(total, final.Sum(r => Decode(r.Value)));
        Assert.True(regions.Count >= 3);
    }
}
