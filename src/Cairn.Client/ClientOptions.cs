namespace Cairn.Client;

/// <summary>Settings shared by the region cache, the transactional and the raw client.</summary>
public sealed record ClientOptions
{
    /// <summary>Deadline of one store RPC. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Total backoff one read (get, batch get, scan, raw op) may spend on region errors, unreachable stores and locks. Default 20 s.</summary>
    public TimeSpan ReadBudget { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Total backoff one prewrite or commit phase may spend. Default 40 s.</summary>
    public TimeSpan WriteBudget { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>How many times <c>RunInTransactionAsync</c> runs a transaction that hit a retryable failure. Default 10.</summary>
    public int MaxTransactionAttempts { get; init; } = 10;

    /// <summary>Lock TTL of a small transaction; larger ones get more (see <c>Transaction</c>). Default 3 s.</summary>
    public TimeSpan MinLockTtl { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Largest lock TTL. Default 20 s.</summary>
    public TimeSpan MaxLockTtl { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Called with one line saying what the client waits for (a timestamp from pd, a region, a store) while it
    /// retries, at most every 5 s; null (the default) says nothing.
    /// </summary>
    public Action<string>? OnWaiting { get; init; }

    /// <summary>Pairs fetched per scan RPC. Default 256.</summary>
    public int ScanBatchSize { get; init; } = 256;

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero, nameof(RequestTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadBudget, TimeSpan.Zero, nameof(ReadBudget));
        ArgumentOutOfRangeException.ThrowIfLessThan(WriteBudget, TimeSpan.Zero, nameof(WriteBudget));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTransactionAttempts, nameof(MaxTransactionAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MinLockTtl, TimeSpan.Zero, nameof(MinLockTtl));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLockTtl, MinLockTtl, nameof(MaxLockTtl));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ScanBatchSize, nameof(ScanBatchSize));
    }
}
