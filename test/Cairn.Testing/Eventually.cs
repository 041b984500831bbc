namespace Cairn.Testing;

/// <summary>
/// Bounded polling for asynchronous effects: a test waits on the condition itself, never for a fixed time, so a
/// loaded machine makes it slower, not wrong.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds; an exception counts as "not yet" (a server still starting
    /// refuses calls). Throws <see cref="TimeoutException"/> naming <paramref name="what"/> and the last error after
    /// <paramref name="timeout"/>.
    /// </summary>
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken cancellationToken = default) =>
        UntilAsync(condition, timeout, () => what, cancellationToken);

    /// <inheritdoc cref="UntilAsync(Func{Task{bool}}, TimeSpan, string, CancellationToken)"/>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken = default) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, () => what, cancellationToken);

    /// <summary>As the other overloads; <paramref name="describe"/> is called on failure, so it can say what was seen last.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe, CancellationToken cancellationToken = default) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, describe, cancellationToken);

    /// <summary>As the other overloads; <paramref name="describe"/> is called on failure, so it can say what was seen last.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(describe);
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition().ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                last = e;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {describe()}." + (last is null ? "" : $" Last error: {last.Message}"), last);
            }

            await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
        }
    }
}
