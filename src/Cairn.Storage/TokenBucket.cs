namespace Cairn.Storage;

/// <summary>
/// A byte-rate limiter shared by every stream of one storage. Callers take what they need at once and the
/// bucket may go into debt; a caller that pushed it into debt waits until the debt is paid back at the
/// configured rate. This keeps the long-run rate exact whatever the chunk sizes, with bursts of at most one
/// second's worth.
/// </summary>
public sealed class TokenBucket
{
    private readonly Lock _lock = new();
    private double _bytesPerSecond;
    private double _capacity;
    private double _tokens;
    private long _lastRefill;

    /// <summary>Creates a full bucket that refills at <paramref name="bytesPerSecond"/>.</summary>
    public TokenBucket(long bytesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        _bytesPerSecond = bytesPerSecond;
        _capacity = bytesPerSecond;
        _tokens = _capacity;
        _lastRefill = TimeProvider.System.GetTimestamp();
    }

    /// <summary>The refill rate.</summary>
    public long BytesPerSecond
    {
        get
        {
            lock (_lock)
            {
                return (long)_bytesPerSecond;
            }
        }
    }

    /// <summary>
    /// Changes the refill rate from now on. Tokens already taken stay taken (a debt is paid back at the new rate) and
    /// the burst allowance becomes one second at the new rate.
    /// </summary>
    public void SetRate(long bytesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        lock (_lock)
        {
            Refill(TimeProvider.System.GetTimestamp());
            _bytesPerSecond = bytesPerSecond;
            _capacity = bytesPerSecond;
            _tokens = Math.Min(_tokens, _capacity);
        }
    }

    /// <summary>Takes <paramref name="bytes"/> tokens, waiting as long as the rate requires.</summary>
    public ValueTask TakeAsync(long bytes, CancellationToken cancellationToken)
    {
        if (bytes <= 0)
        {
            return ValueTask.CompletedTask;
        }

        TimeSpan wait;
        lock (_lock)
        {
            Refill(TimeProvider.System.GetTimestamp());
            _tokens -= bytes;
            if (_tokens >= 0)
            {
                return ValueTask.CompletedTask;
            }

            wait = TimeSpan.FromSeconds(-_tokens / _bytesPerSecond);
        }
        return new ValueTask(Task.Delay(wait, cancellationToken));
    }

    private void Refill(long now)
    {
        _tokens = Math.Min(_capacity, _tokens + (TimeProvider.System.GetElapsedTime(_lastRefill, now).TotalSeconds * _bytesPerSecond));
        _lastRefill = now;
    }
}
