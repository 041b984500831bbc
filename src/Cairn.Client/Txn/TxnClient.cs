using Cairn.Client.Regions;
using Cairn.Pd.Client;

namespace Cairn.Client.Txn;

/// <summary>
/// Percolator transactions over the cluster: optimistic transactions with snapshot isolation (start ts from pd,
/// two-phase commit) and read-only snapshots at any timestamp. Safe for concurrent use; transactions are not.
/// </summary>
public sealed class TxnClient : IAsyncDisposable
{
    private readonly bool _ownsPd;
    private long _committed;
    private long _retries;
    private long _secondaryFailures;

    /// <summary>Creates a client over an existing pd client (not disposed with this one).</summary>
    public TxnClient(PdClient pd, ClientOptions? options = null)
        : this(pd, options, ownsPd: false)
    {
    }

    private TxnClient(PdClient pd, ClientOptions? options, bool ownsPd)
    {
        ArgumentNullException.ThrowIfNull(pd);
        Cache = new RegionCache(pd, options);
        Options = Cache.Options;
        Waits = new WaitReporter(Options.OnWaiting);
        Resolver = new LockResolver(Cache);
        _ownsPd = ownsPd;
    }

    /// <summary>Connects to pd at <paramref name="pdAddresses"/> and creates a client that owns that connection.</summary>
    public static async Task<TxnClient> ConnectAsync(IEnumerable<string> pdAddresses, ClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        var pd = await PdClient.ConnectAsync(pdAddresses, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new TxnClient(pd, options, ownsPd: true);
    }

    /// <summary>
    /// Connects to pd at <paramref name="pdAddresses"/> with mutual TLS when <paramref name="tls"/> is set (the stores
    /// are then reached over TLS too) and creates a client that owns that connection.
    /// </summary>
    public static async Task<TxnClient> ConnectAsync(IEnumerable<string> pdAddresses, ClientOptions? options, Cairn.Rpc.Security.TlsSettings? tls, CancellationToken cancellationToken)
    {
        var pd = await PdClient.ConnectAsync(pdAddresses, new PdClientOptions { Tls = tls }, cancellationToken).ConfigureAwait(false);
        return new TxnClient(pd, options, ownsPd: true);
    }

    /// <summary>The settings.</summary>
    public ClientOptions Options { get; }

    /// <summary>The region cache (shared by every transaction of this client).</summary>
    public RegionCache Cache { get; }

    /// <summary>The lock resolver.</summary>
    public LockResolver Resolver { get; }

    /// <summary>Transactions committed by this client.</summary>
    public long CommittedCount => Interlocked.Read(ref _committed);

    /// <summary>Times <see cref="RunInTransactionAsync"/> ran a transaction again after a retryable failure.</summary>
    public long RetryCount => Interlocked.Read(ref _retries);

    /// <summary>Secondary-key commit batches that failed after their primary committed (left to lock resolution).</summary>
    public long SecondaryCommitFailures => Interlocked.Read(ref _secondaryFailures);

    /// <summary>Starts a transaction at a fresh timestamp from pd.</summary>
    public async Task<Transaction> BeginAsync(CancellationToken cancellationToken = default)
    {
        var startTs = await TimestampAsync(cancellationToken).ConfigureAwait(false);
        return new Transaction(this, startTs);
    }

    /// <summary>A read-only snapshot at <paramref name="timestamp"/> (any timestamp, e.g. one from pd or a backup's).</summary>
    public Task<Snapshot> SnapshotAsync(ulong timestamp, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(timestamp);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new Snapshot(this, timestamp));
    }

    /// <summary>A read-only snapshot at a fresh timestamp from pd.</summary>
    public async Task<Snapshot> SnapshotAsync(CancellationToken cancellationToken = default) =>
        new Snapshot(this, await TimestampAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Runs <paramref name="body"/> in a new transaction and commits it; when the attempt fails with a retryable
    /// <see cref="ClientException"/> (write conflict, lock wait or region budget exceeded, rolled back by a
    /// resolver), runs it again in a fresh transaction, at most <see cref="ClientOptions.MaxTransactionAttempts"/>
    /// times in all. The body must therefore be safe to run more than once.
    /// </summary>
    public async Task RunInTransactionAsync(Func<Transaction, Task> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        await RunInTransactionAsync<bool>(async t =>
        {
            await body(t).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="RunInTransactionAsync(Func{Transaction, Task}, CancellationToken)"/>, returning the body's result.</summary>
    public async Task<T> RunInTransactionAsync<T>(Func<Transaction, Task<T>> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        // Retries stop at the write budget too, so attempts that each fail late cannot add up to many budgets.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            var txn = await BeginAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var result = await body(txn).ConfigureAwait(false);
                await txn.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch (ClientException e) when (e.IsRetryable && attempt < Options.MaxTransactionAttempts && !cancellationToken.IsCancellationRequested
                && System.Diagnostics.Stopwatch.GetElapsedTime(started) < Options.WriteBudget)
            {
                txn.Rollback();
                Interlocked.Increment(ref _retries);
                // Spread the retries of transactions that collided so they do not collide again in lockstep.
                await Task.Delay(Random.Shared.Next(1, 10 * Math.Min(attempt, 10)), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                txn.Rollback();
                throw;
            }
        }
    }

    /// <summary>Closes the store channels (and the pd connection when this client opened it).</summary>
    public async ValueTask DisposeAsync()
    {
        Cache.Dispose();
        if (_ownsPd)
        {
            await Cache.Pd.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal Backoffer NewReadBackoffer() => new(Options.ReadBudget, Waits);

    internal Backoffer NewWriteBackoffer() => new(Options.WriteBudget, Waits);

    /// <summary>Where this client's operations say what they wait for.</summary>
    internal WaitReporter Waits { get; }

    /// <summary>
    /// A timestamp from pd within the read budget (pd's own retries would wait longer), saying while it waits that
    /// it does; a pd that stays away fails the operation with a message instead of hanging it.
    /// </summary>
    internal async Task<ulong> TimestampAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Options.ReadBudget);
        var request = Cache.Pd.GetTimestampAsync(limit.Token);
        try
        {
            while (true)
            {
                var tick = Task.Delay(Waits.Interval, limit.Token);
                if (await Task.WhenAny(request, tick).ConfigureAwait(false) == request)
                {
                    return await request.ConfigureAwait(false);
                }

                limit.Token.ThrowIfCancellationRequested();
                Waits.Report($"waiting for a timestamp from pd (up to {Options.ReadBudget.TotalSeconds:0} s)");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _ = request.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw new ClientException($"no timestamp from pd within {Options.ReadBudget.TotalSeconds:0} s", isRetryable: false);
        }
    }

    internal void OnCommitted() => Interlocked.Increment(ref _committed);

    internal void OnSecondaryFailure() => Interlocked.Increment(ref _secondaryFailures);
}
