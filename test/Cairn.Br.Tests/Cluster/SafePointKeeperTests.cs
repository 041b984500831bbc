using Cairn.Br.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Br.Tests.Cluster;

public sealed class SafePointKeeperTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private ClusterConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 1 });
        _connection = await ClusterConnection.ConnectAsync([_cluster.PdAddress], TimeSpan.FromSeconds(10), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task The_safepoint_is_listed_while_kept_and_removed_on_dispose()
    {
        var ts = await _connection.Pd.GetTimestampAsync();
        var keeper = await SafePointKeeper.StartAsync(_connection, ts - 1, TimeSpan.FromSeconds(3), NullLogger.Instance, CancellationToken.None);
        Assert.StartsWith("br-", keeper.ServiceId, StringComparison.Ordinal);
        Assert.True(await _connection.HasServiceSafePointAsync(keeper.ServiceId, CancellationToken.None));
        // Kept past its TTL by the refreshes.
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.True(await _connection.HasServiceSafePointAsync(keeper.ServiceId, CancellationToken.None));
        Assert.False(keeper.Lost.IsCancellationRequested);
        await keeper.DisposeAsync();
        Assert.False(await _connection.HasServiceSafePointAsync(keeper.ServiceId, CancellationToken.None));
    }

    [Fact]
    public async Task A_safepoint_removed_behind_the_keepers_back_is_reported_lost_naming_it()
    {
        var ts = await _connection.Pd.GetTimestampAsync();
        await using var keeper = await SafePointKeeper.StartAsync(_connection, ts - 1, TimeSpan.FromSeconds(30), NullLogger.Instance, CancellationToken.None);
        await _connection.Pd.UpdateServiceGcSafePointAsync(keeper.ServiceId, 0, 0);
        await Eventually.UntilAsync(() => keeper.Lost.IsCancellationRequested, TimeSpan.FromSeconds(15), "the keeper noticing the loss");
        Assert.NotNull(keeper.Failure);
        Assert.Equal("ErrBackupGCSafepointExceeded", keeper.Failure.Code);
        Assert.Contains(keeper.ServiceId, keeper.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_safepoint_below_the_gc_safepoint_is_refused_naming_both()
    {
        var ts = await _connection.Pd.GetTimestampAsync();
        await _connection.Pd.UpdateGcSafePointAsync(ts - 100);
        var error = await Assert.ThrowsAsync<BrException>(() => SafePointKeeper.StartAsync(_connection, ts - 200, TimeSpan.FromSeconds(30), NullLogger.Instance, CancellationToken.None));
        Assert.Contains((ts - 100).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.Contains((ts - 200).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }
}
