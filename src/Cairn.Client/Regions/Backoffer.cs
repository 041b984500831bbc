namespace Cairn.Client.Regions;

/// <summary>
/// Bounded retry delays for one logical operation. Each <see cref="BackoffKind"/> doubles from its own base up to its
/// cap with "equal jitter" (half fixed, half random), and all sleeps together may not exceed the budget: the call
/// that would overrun it throws instead, naming what was being retried and the last error. Safe for use by the
/// parallel branches of one operation, which then share the budget.
/// </summary>
public sealed class Backoffer
{
    private readonly object _gate = new();
    private readonly Dictionary<BackoffKind, int> _attempts = [];
    private TimeSpan _slept;

    /// <summary>Creates a backoffer that may sleep <paramref name="budget"/> in total.</summary>
    public Backoffer(TimeSpan budget)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, TimeSpan.Zero);
        Budget = budget;
    }

    /// <summary>Total sleep allowed.</summary>
    public TimeSpan Budget { get; }

    /// <summary>Total slept so far.</summary>
    public TimeSpan Slept
    {
        get
        {
            lock (_gate)
            {
                return _slept;
            }
        }
    }

    /// <summary>Number of backoffs taken so far, all kinds together.</summary>
    public int Attempts
    {
        get
        {
            lock (_gate)
            {
                return _attempts.Values.Sum();
            }
        }
    }

    /// <summary>Base delay and cap of a kind.</summary>
    public static (TimeSpan Base, TimeSpan Cap) Delays(BackoffKind kind) => kind switch
    {
        BackoffKind.RegionMiss => (TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(500)),
        BackoffKind.RegionScheduling => (TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(500)),
        BackoffKind.StoreUnreachable => (TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2)),
        BackoffKind.ServerBusy => (TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(3)),
        BackoffKind.TxnLock => (TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(1)),
        BackoffKind.PdUnavailable => (TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(3)),
        _ => (TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1)),
    };

    /// <summary>
    /// Sleeps before the next retry. <paramref name="target"/> names what is retried (key, region, store) and
    /// <paramref name="lastError"/> why; both go into the exception when the budget is spent. A
    /// <paramref name="minimum"/> (e.g. a store's requested backoff) raises this delay.
    /// </summary>
    /// <exception cref="RegionUnavailableException">The budget is spent (lock waits: <see cref="KeyLockedTimeoutException"/>).</exception>
    public Task BackoffAsync(BackoffKind kind, string target, string? lastError, CancellationToken cancellationToken, TimeSpan minimum = default)
    {
        TimeSpan delay;
        lock (_gate)
        {
            var attempt = _attempts.GetValueOrDefault(kind);
            _attempts[kind] = attempt + 1;
            var (baseDelay, cap) = Delays(kind);
            var exp = Math.Min(cap.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
            var ms = (exp / 2) + (Random.Shared.NextDouble() * exp / 2);
            delay = TimeSpan.FromMilliseconds(Math.Max(ms, minimum.TotalMilliseconds));
            if (_slept + delay > Budget)
            {
                // Spend what is left when that still leaves a useful wait; otherwise give up now.
                var left = Budget - _slept;
                if (left < TimeSpan.FromMilliseconds(1) || left < baseDelay)
                {
                    throw Exhausted(kind, target, lastError);
                }

                delay = left;
            }

            _slept += delay;
        }

        return Task.Delay(delay, cancellationToken);
    }

    private Exception Exhausted(BackoffKind kind, string target, string? lastError)
    {
        var message = $"gave up on {target} after backing off {_slept.TotalMilliseconds:0} ms (budget {Budget.TotalMilliseconds:0} ms, {_attempts.Values.Sum()} retries); last {Describe(kind)}: {lastError ?? "none"}";
        return kind == BackoffKind.TxnLock
            ? new KeyLockedTimeoutException(message, target, lastError)
            : new RegionUnavailableException(message, target, lastError);
    }

    private static string Describe(BackoffKind kind) => kind switch
    {
        BackoffKind.RegionMiss => "region error",
        BackoffKind.RegionScheduling => "region error (no leader)",
        BackoffKind.StoreUnreachable => "store failure",
        BackoffKind.ServerBusy => "busy store",
        BackoffKind.TxnLock => "lock",
        BackoffKind.PdUnavailable => "pd failure",
        _ => "error",
    };
}
