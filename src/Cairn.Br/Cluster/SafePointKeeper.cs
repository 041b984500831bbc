using Cairn.Br.Backup;
using Cairn.Common.Errors;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.Cluster;

/// <summary>
/// Keeps a service GC safepoint <c>br-&lt;uuid&gt;</c> alive for a job: set at start, refreshed every TTL/3, and
/// checked every <see cref="CheckInterval"/>. When it was lost (pd no longer lists it) or the GC safepoint passed
/// it, versions the job reads may already be gone, so the keeper stops protecting and cancels
/// <see cref="Lost"/> with <see cref="Failure"/> saying why. Disposing removes the safepoint.
/// </summary>
internal sealed class SafePointKeeper : IAsyncDisposable
{
    private readonly ClusterConnection _cluster;
    private readonly ILogger _logger;
    private readonly TimeSpan _ttl;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private Task _loop = Task.CompletedTask;

    private SafePointKeeper(ClusterConnection cluster, string serviceId, ulong safePoint, TimeSpan ttl, ILogger logger)
    {
        _cluster = cluster;
        ServiceId = serviceId;
        SafePoint = safePoint;
        _ttl = ttl;
        _logger = logger;
        CheckInterval = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, Math.Max(ttl.Ticks / 3, TimeSpan.FromMilliseconds(200).Ticks)));
    }

    /// <summary>The service id, <c>br-&lt;uuid&gt;</c>.</summary>
    public string ServiceId { get; }

    /// <summary>The protected timestamp: versions visible at or after it are kept.</summary>
    public ulong SafePoint { get; }

    /// <summary>How often the safepoint is checked.</summary>
    public TimeSpan CheckInterval { get; }

    /// <summary>Cancelled when the safepoint was lost.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Why the safepoint was lost; set before <see cref="Lost"/> is cancelled.</summary>
    public BrException? Failure { get; private set; }

    /// <summary>
    /// Sets the safepoint and starts keeping it; <paramref name="serviceId"/> names an existing one to take over (a
    /// resumed backup keeps its dead run's), null or empty makes a new one.
    /// </summary>
    /// <exception cref="BrException">pd refused it because the GC safepoint already passed it.</exception>
    public static async Task<SafePointKeeper> StartAsync(ClusterConnection cluster, ulong safePoint, TimeSpan ttl, ILogger logger, CancellationToken cancellationToken, string? serviceId = null)
    {
        var keeper = new SafePointKeeper(cluster, string.IsNullOrEmpty(serviceId) ? "br-" + Guid.NewGuid().ToString("D") : serviceId, safePoint, ttl, logger);
        var ttlSeconds = (long)Math.Ceiling(ttl.TotalSeconds);
        var result = await cluster.Pd.UpdateServiceGcSafePointAsync(keeper.ServiceId, ttlSeconds, safePoint, cancellationToken).ConfigureAwait(false);
        if (result.MinSafePoint > safePoint)
        {
            throw new BrException("ErrBackupGCSafepointExceeded",
                $"GC safepoint {result.MinSafePoint} is already past the backup's protected ts {safePoint}: back up a later snapshot (--backupts/--timeago) or raise pd's GC life time");
        }

        BackupLog.SafePointRegistered(logger, keeper.ServiceId, safePoint, ttlSeconds);
        keeper._loop = Task.Run(() => keeper.RunAsync(keeper._stop.Token), CancellationToken.None);
        return keeper;
    }

    /// <summary>Stops keeping the safepoint and removes it from pd (TTL 0).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _cluster.Pd.UpdateServiceGcSafePointAsync(ServiceId, 0, SafePoint, timeout.Token).ConfigureAwait(false);
            BackupLog.SafePointRemoved(_logger, ServiceId);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            BackupLog.SafePointRemoveFailed(_logger, ServiceId, e.Message);
        }

        _stop.Dispose();
        _lost.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var refreshEvery = _ttl / 3;
        var lastRefresh = DateTime.UtcNow;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(CheckInterval, cancellationToken).ConfigureAwait(false);
            try
            {
                var reason = await CheckAsync(cancellationToken).ConfigureAwait(false);
                if (reason is not null)
                {
                    Failure = new BrException("ErrBackupGCSafepointExceeded",
                        $"the backup's service safepoint {ServiceId} at {SafePoint} was lost ({reason}): versions of the snapshot may be gone, so the backup stopped; retry with a fresh snapshot and a larger --gcttl");
                    BackupLog.SafePointLost(_logger, ServiceId, reason);
                    await _lost.CancelAsync().ConfigureAwait(false);
                    return;
                }

                if (DateTime.UtcNow - lastRefresh >= refreshEvery)
                {
                    var result = await _cluster.Pd.UpdateServiceGcSafePointAsync(ServiceId, (long)Math.Ceiling(_ttl.TotalSeconds), SafePoint, cancellationToken).ConfigureAwait(false);
                    lastRefresh = DateTime.UtcNow;
                    BackupLog.SafePointRefreshed(_logger, ServiceId);
                    if (result.MinSafePoint > SafePoint)
                    {
                        Failure = new BrException("ErrBackupGCSafepointExceeded",
                            $"GC safepoint {result.MinSafePoint} passed the backup's protected ts {SafePoint}: versions of the snapshot may be gone, so the backup stopped; retry with a fresh snapshot and a larger --gcttl");
                        BackupLog.SafePointLost(_logger, ServiceId, $"pd's minimum safepoint is {result.MinSafePoint}");
                        await _lost.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && Transience.IsTransient(e, cancellationToken))
            {
                // pd restarting: the next check tries again; the TTL covers the gap.
            }
        }
    }

    // Null while protected; otherwise what went wrong.
    private async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        var gcSafePoint = await _cluster.Pd.GetGcSafePointAsync(cancellationToken).ConfigureAwait(false);
        if (gcSafePoint > SafePoint)
        {
            return $"the GC safepoint {gcSafePoint} passed it";
        }

        if (!await _cluster.HasServiceSafePointAsync(ServiceId, cancellationToken).ConfigureAwait(false))
        {
            return "pd no longer lists it";
        }

        return null;
    }
}
