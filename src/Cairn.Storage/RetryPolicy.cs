namespace Cairn.Storage;

/// <summary>
/// When and how long to retry transient storage failures: jittered exponential backoff, bounded by a number
/// of attempts and a total time budget. Permanent failures are never retried. Throttling (503 Slow Down,
/// 429) starts from a longer delay, as the services ask.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>The default: 8 attempts, 200 ms doubling to at most 10 s, 2 minutes in all.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>One attempt, no retries.</summary>
    public static RetryPolicy None { get; } = new() { MaxAttempts = 1 };

    /// <summary>Attempts in all, the first included; at least 1.</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>Delay before the second attempt (before jitter); doubled for each further one.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>First delay after a throttling answer.</summary>
    public TimeSpan ThrottleBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of one delay.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>No new attempt starts once this much time has passed since the first one.</summary>
    public TimeSpan TotalBudget { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Told about every retry (for logging); must not throw.</summary>
    public Action<StorageRetryEvent>? OnRetry { get; init; }

    /// <summary>
    /// Runs <paramref name="action"/> until it succeeds, fails permanently, or the attempts or the budget run
    /// out. Exceptions are classified by <see cref="StorageErrors.Classify"/>; what finally escapes is a
    /// <see cref="StorageException"/> (or the cancellation of <paramref name="cancellationToken"/>).
    /// </summary>
    public async ValueTask<T> ExecuteAsync<T>(string operation, Func<CancellationToken, ValueTask<T>> action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(action);
        var started = TimeProvider.System.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            StorageException error;
            try
            {
                return await action(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                var classified = StorageErrors.Classify(ex, operation, cancellationToken);
                if (classified is null)
                {
                    throw;
                }

                error = classified;
            }

            if (!error.IsTransient || error is StorageRetryExhaustedException)
            {
                throw error;
            }

            var elapsed = TimeProvider.System.GetElapsedTime(started);
            var delay = NextDelay(attempt, error.Kind);
            if (attempt >= Math.Max(1, MaxAttempts) || elapsed + delay > TotalBudget)
            {
                if (attempt == 1)
                {
                    throw error;
                }

                throw new StorageRetryExhaustedException($"gave up after {attempt} attempts in {elapsed.TotalSeconds:0.#} s: {error.Message}", attempt, error);
            }
            OnRetry?.Invoke(new StorageRetryEvent(operation, attempt, delay, error));
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs an action without a result; see <see cref="ExecuteAsync{T}"/>.</summary>
    public async ValueTask ExecuteAsync(string operation, Func<CancellationToken, ValueTask> action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        await ExecuteAsync(operation, async ct =>
        {
            await action(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The delay after failed attempt number <paramref name="attempt"/>: "equal jitter", half fixed and half random.</summary>
    public TimeSpan NextDelay(int attempt, StorageErrorKind kind)
    {
        var baseDelay = kind == StorageErrorKind.Throttled ? ThrottleBaseDelay : BaseDelay;
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 20);
        var ceiling = Math.Min(baseDelay.TotalMilliseconds * (1L << exponent), MaxDelay.TotalMilliseconds);
        var half = ceiling / 2;
        return TimeSpan.FromMilliseconds(half + (Random.Shared.NextDouble() * half));
    }
}
