using Cairn.Client.Regions;

namespace Cairn.Client.Tests;

public sealed class BackofferTests
{
    [Fact]
    public async Task Exceeding_the_budget_names_the_target_and_the_last_error()
    {
        var backoffer = new Backoffer(TimeSpan.FromMilliseconds(50));
        var e = await Assert.ThrowsAsync<RegionUnavailableException>(async () =>
        {
            for (var i = 0; i < 1000; i++)
            {
                await backoffer.BackoffAsync(BackoffKind.StoreUnreachable, "key 6B31 on region 7 at store 1 127.0.0.1:1", "connection refused", CancellationToken.None);
            }
        });
        Assert.Contains("key 6B31 on region 7", e.Message);
        Assert.Contains("connection refused", e.Message);
        Assert.Equal("connection refused", e.LastError);
        Assert.True(e.IsRetryable);
        Assert.True(backoffer.Slept <= backoffer.Budget);
    }

    [Fact]
    public async Task Lock_waits_that_run_out_throw_KeyLockedTimeoutException()
    {
        var backoffer = new Backoffer(TimeSpan.FromMilliseconds(30));
        var e = await Assert.ThrowsAsync<KeyLockedTimeoutException>(async () =>
        {
            while (true)
            {
                await backoffer.BackoffAsync(BackoffKind.TxnLock, "key 01", "locked by txn 5", CancellationToken.None);
            }
        });
        Assert.Contains("locked by txn 5", e.Message);
        Assert.True(backoffer.Attempts >= 1);
    }

    [Fact]
    public async Task A_zero_budget_fails_at_once()
    {
        var backoffer = new Backoffer(TimeSpan.Zero);
        await Assert.ThrowsAsync<RegionUnavailableException>(() => backoffer.BackoffAsync(BackoffKind.RegionMiss, "x", "EpochNotMatch", CancellationToken.None));
        Assert.Equal(TimeSpan.Zero, backoffer.Slept);
    }

    [Fact]
    public void Every_kind_has_a_positive_base_below_its_cap()
    {
        foreach (var kind in Enum.GetValues<BackoffKind>())
        {
            var (baseDelay, cap) = Backoffer.Delays(kind);
            Assert.True(baseDelay > TimeSpan.Zero, kind.ToString());
            Assert.True(cap >= baseDelay, kind.ToString());
        }
    }

    [Fact]
    public async Task Cancellation_stops_the_wait()
    {
        var backoffer = new Backoffer(TimeSpan.FromMinutes(1));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backoffer.BackoffAsync(BackoffKind.ServerBusy, "x", null, cts.Token, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_call_made_for_the_operation_gets_only_what_is_left_of_the_budget()
    {
        var backoffer = new Backoffer(TimeSpan.FromSeconds(1));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        // A pd call that would retry for 30 s on its own is cut off at the operation's budget.
        var e = await Assert.ThrowsAsync<RegionUnavailableException>(() =>
            backoffer.WithinBudgetAsync(async t => { await Task.Delay(TimeSpan.FromSeconds(30), t); return 1; }, BackoffKind.PdUnavailable, "region lookup", CancellationToken.None));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), watch.Elapsed.ToString());
        Assert.Contains("region lookup", e.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, backoffer.Remaining);
        await Assert.ThrowsAsync<RegionUnavailableException>(() => backoffer.BackoffAsync(BackoffKind.RegionMiss, "x", null, CancellationToken.None));
    }

    [Fact]
    public async Task Failed_attempts_count_against_the_budget_and_waits_are_reported_at_a_bounded_rate()
    {
        var lines = new List<string>();
        var backoffer = new Backoffer(TimeSpan.FromSeconds(2), new WaitReporter(lines.Add, TimeSpan.FromHours(1)));
        // A short retry says nothing; one that has been failing for a second says what it waits for.
        await backoffer.BackoffAsync(BackoffKind.RegionMiss, "key 00", "NotLeader", CancellationToken.None);
        Assert.Empty(lines);
        backoffer.Charge(TimeSpan.FromMilliseconds(1990));
        Assert.True(backoffer.Remaining <= TimeSpan.FromMilliseconds(10));
        await backoffer.BackoffAsync(BackoffKind.RegionMiss, "key 01", "NotLeader", CancellationToken.None);
        await Assert.ThrowsAsync<RegionUnavailableException>(() => backoffer.BackoffAsync(BackoffKind.StoreUnreachable, "key 01", "timeout", CancellationToken.None));
        var line = Assert.Single(lines);
        Assert.Contains("waiting for key 01", line, StringComparison.Ordinal);
    }
}
