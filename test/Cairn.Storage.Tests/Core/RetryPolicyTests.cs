using System.Net.Sockets;

namespace Cairn.Storage.Tests.Core;

/// <summary>Which failures are retried, how often, and what finally escapes.</summary>
public sealed class RetryPolicyTests
{
    private static RetryPolicy Fast(List<StorageRetryEvent> events, int attempts = 5) => new()
    {
        MaxAttempts = attempts,
        BaseDelay = TimeSpan.FromMilliseconds(1),
        ThrottleBaseDelay = TimeSpan.FromMilliseconds(2),
        MaxDelay = TimeSpan.FromMilliseconds(5),
        OnRetry = events.Add,
    };

    [Fact]
    public async Task Transient_failures_are_retried_until_success()
    {
        var events = new List<StorageRetryEvent>();
        var calls = 0;
        var result = await Fast(events).ExecuteAsync("op", _ =>
        {
            calls++;
            return calls switch
            {
                1 => throw new StorageException("slow down", isTransient: true, StorageErrorKind.Throttled),
                2 => throw new IOException("connection reset"),
                3 => throw new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)),
                _ => ValueTask.FromResult(42),
            };
        }, CancellationToken.None);

        Assert.Equal(42, result);
        Assert.Equal(4, calls);
        Assert.Equal([1, 2, 3], events.Select(e => e.Attempt));
        Assert.Equal(StorageErrorKind.Throttled, events[0].Error.Kind);
        Assert.Equal(StorageErrorKind.Network, events[1].Error.Kind);
        Assert.All(events, e => Assert.True(e.Error.IsTransient));
    }

    [Fact]
    public async Task Permanent_failures_fail_at_once()
    {
        var events = new List<StorageRetryEvent>();
        var calls = 0;
        var error = await Assert.ThrowsAsync<StorageException>(async () => await Fast(events).ExecuteAsync<int>("read x", _ =>
        {
            calls++;
            throw new StorageException("read x: not found", isTransient: false, StorageErrorKind.NotFound);
        }, CancellationToken.None));

        Assert.Equal(1, calls);
        Assert.Empty(events);
        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
        Assert.Equal("read x: not found", error.Message);
    }

    [Fact]
    public async Task Attempts_run_out_with_a_transient_error_that_says_so()
    {
        var events = new List<StorageRetryEvent>();
        var calls = 0;
        var error = await Assert.ThrowsAsync<StorageRetryExhaustedException>(async () => await Fast(events, attempts: 3).ExecuteAsync<int>("write y", _ =>
        {
            calls++;
            throw new StorageException("write y: the service failed (HTTP 500)", isTransient: true, StorageErrorKind.ServerError);
        }, CancellationToken.None));

        Assert.Equal(3, calls);
        Assert.Equal(3, error.Attempts);
        Assert.True(error.IsTransient);
        Assert.Equal(StorageErrorKind.ServerError, error.Kind);
        Assert.StartsWith("gave up after 3 attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 500", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exhausted_inner_retry_is_not_retried_again()
    {
        var calls = 0;
        var inner = new StorageRetryExhaustedException("gave up", 8, new StorageException("x", true, StorageErrorKind.Network));
        await Assert.ThrowsAsync<StorageRetryExhaustedException>(async () => await Fast([]).ExecuteAsync<int>("outer", _ =>
        {
            calls++;
            throw inner;
        }, CancellationToken.None));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task The_time_budget_stops_retries()
    {
        var calls = 0;
        var policy = new RetryPolicy { MaxAttempts = 1000, BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(20), TotalBudget = TimeSpan.Zero };
        await Assert.ThrowsAsync<StorageException>(async () => await policy.ExecuteAsync<int>("op", _ =>
        {
            calls++;
            throw new IOException("reset");
        }, CancellationToken.None));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_propagates_unchanged()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Fast([]).ExecuteAsync<int>("op", ct =>
        {
            ct.ThrowIfCancellationRequested();
            return ValueTask.FromResult(1);
        }, cts.Token));
    }

    [Fact]
    public void Delays_grow_exponentially_within_jitter_and_cap()
    {
        var policy = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(100), ThrottleBaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(3) };
        for (var i = 0; i < 50; i++)
        {
            var first = policy.NextDelay(1, StorageErrorKind.Network);
            Assert.InRange(first.TotalMilliseconds, 50, 100);
            var third = policy.NextDelay(3, StorageErrorKind.ServerError);
            Assert.InRange(third.TotalMilliseconds, 200, 400);
            var throttled = policy.NextDelay(1, StorageErrorKind.Throttled);
            Assert.InRange(throttled.TotalMilliseconds, 500, 1000);
            var capped = policy.NextDelay(30, StorageErrorKind.Network);
            Assert.InRange(capped.TotalMilliseconds, 1500, 3000);
        }
    }
}
