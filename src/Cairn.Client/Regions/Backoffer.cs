using System.Diagnostics;

namespace Cairn.Client.Regions;

/// <summary>
/// Bounded retries for one logical operation. Each <see cref="BackoffKind"/> doubles from its own base up to its
/// cap with "equal jitter" (half fixed, half random). The budget bounds all the time the operation spends failing:
/// sleeps, the attempts that failed (<see cref="Charge"/>) and the pd lookups made on its behalf, which get only
/// what is left of it (<see cref="WithinBudgetAsync"/>) instead of pd's own, longer retry time. The call that would
/// overrun it throws instead, naming what was being retried and the last error. Safe for use by the parallel
/// branches of one operation, which then share the budget.
/// </summary>
public sealed class Backoffer
{
    private readonly object _gate = new();
    private readonly Dictionary<BackoffKind, int> _attempts = [];
    private readonly WaitReporter? _waits;
    private TimeSpan _slept;
    private TimeSpan _charged;

    /// <summary>Creates a backoffer that may spend <paramref name="budget"/> in total on failures.</summary>
    public Backoffer(TimeSpan budget)
        : this(budget, null)
    {
    }

    /// <summary>As <see cref="Backoffer(TimeSpan)"/>, telling <paramref name="waits"/> what it waits for at each backoff.</summary>
    public Backoffer(TimeSpan budget, WaitReporter? waits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, TimeSpan.Zero);
        Budget = budget;
        _waits = waits;
    }

    /// <summary>How long an operation has to have been failing before its backoffs are reported as a wait.</summary>
    public static TimeSpan ReportAfter { get; } = TimeSpan.FromSeconds(1);

    /// <summary>The least time <see cref="WithinBudgetAsync"/> gives a call, even with the budget spent.</summary>
    public static TimeSpan MinimumCallTime { get; } = TimeSpan.FromMilliseconds(500);

    /// <summary>What is left of the budget.</summary>
    public TimeSpan Remaining
    {
        get
        {
            lock (_gate)
            {
                var left = Budget - _slept - _charged;
                return left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }
        }
    }

    /// <summary>Counts <paramref name="elapsed"/>, the time an attempt took before it failed, against the budget.</summary>
    public void Charge(TimeSpan elapsed)
    {
        if (elapsed <= TimeSpan.Zero)
        {
            return;
        }

        lock (_gate)
        {
            _charged += elapsed;
        }
    }

    /// <summary>
    /// Runs <paramref name="call"/> (a pd lookup for this operation) with at most what is left of the budget, but no
    /// less than <see cref="MinimumCallTime"/> (so a lookup after the last backoff can still learn where to send the
    /// final attempt); a call that fails is charged its time, and one cut off by the limit throws as an exhausted
    /// budget does.
    /// </summary>
    /// <exception cref="RegionUnavailableException">The budget ran out before the call answered.</exception>
    public async Task<T> WithinBudgetAsync<T>(Func<CancellationToken, Task<T>> call, BackoffKind kind, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var left = Remaining;
        var remaining = left > MinimumCallTime ? left : MinimumCallTime;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(remaining);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await call(limit.Token).WaitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Charge(remaining > Stopwatch.GetElapsedTime(started) ? remaining : Stopwatch.GetElapsedTime(started));
            lock (_gate)
            {
                throw Exhausted(kind, target, $"no answer within the remaining {remaining.TotalMilliseconds:0} ms");
            }
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            Charge(Stopwatch.GetElapsedTime(started));
            throw;
        }
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
        bool report;
        lock (_gate)
        {
            var attempt = _attempts.GetValueOrDefault(kind);
            _attempts[kind] = attempt + 1;
            var (baseDelay, cap) = Delays(kind);
            var exp = Math.Min(cap.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
            var ms = (exp / 2) + (Random.Shared.NextDouble() * exp / 2);
            delay = TimeSpan.FromMilliseconds(Math.Max(ms, minimum.TotalMilliseconds));
            if (_slept + _charged + delay > Budget)
            {
                // Spend what is left when that still leaves a useful wait; otherwise give up now.
                var left = Budget - _slept - _charged;
                if (left < TimeSpan.FromMilliseconds(1) || left < baseDelay)
                {
                    throw Exhausted(kind, target, lastError);
                }

                delay = left;
            }

            _slept += delay;
            // A region that moved costs a retry of a few milliseconds; only a wait people would notice is worth a line.
            report = _slept + _charged >= ReportAfter;
        }

        if (report)
        {
            _waits?.Report($"waiting for {target}: {lastError ?? Describe(kind)} (retrying for up to {Remaining.TotalSeconds:0} s more)");
        }

        return Task.Delay(delay, cancellationToken);
    }

    private Exception Exhausted(BackoffKind kind, string target, string? lastError)
    {
        var message = $"gave up on {target} after backing off {_slept.TotalMilliseconds:0} ms and {_charged.TotalMilliseconds:0} ms of failed attempts (budget {Budget.TotalMilliseconds:0} ms, {_attempts.Values.Sum()} retries); last {Describe(kind)}: {lastError ?? "none"}";
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
