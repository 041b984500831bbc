using Cairn.Client.Catalog;
using Cairn.Workloads;

namespace Cairn.Faults.Tests;

/// <summary>
/// Bank transfers in A, round after round, until cancelled, so that a backup is taken while money moves. A round that
/// fails (a store or pd was just killed) is counted and the loop goes on: the invariant is checked afterwards, at the
/// backup's TS, by <c>cairn workload bank --verify-only</c>.
/// </summary>
internal sealed class TransferLoop(CatalogClient catalog)
{
    private long _committed;
    private int _failedRounds;
    private string? _lastFailure;

    /// <summary>Transfers committed so far.</summary>
    public long Committed => Interlocked.Read(ref _committed);

    public async Task RunAsync(CancellationToken stop)
    {
        var bank = new BankWorkload(catalog) { Database = FaultSource.BankDb, Accounts = FaultSource.Accounts };
        while (!stop.IsCancellationRequested)
        {
            try
            {
                Interlocked.Add(ref _committed, await bank.RunAsync(workers: 2, transfers: 4, stop));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _failedRounds);
                _lastFailure = e.Message.Split('\n')[0];
                await Task.Delay(200, CancellationToken.None);
            }
        }
    }

    /// <summary>One line for a report.</summary>
    public string Describe() =>
        $"{Committed} transfers committed, {Volatile.Read(ref _failedRounds)} rounds failed{(_lastFailure is null ? "" : $" (last: {_lastFailure})")}";
}
