using System.Collections.Concurrent;
using Cairn.Client.Regions;
using Cairn.Common;
using Cairn.Rpc.Kvrpcpb;

namespace Cairn.Client.Txn;

/// <summary>
/// Resolves locks that block readers and writers: asks the lock's primary for its transaction's status
/// (CheckTxnStatus with the caller's start ts and pd's current ts), then commits or rolls back the lock's region with
/// ResolveLock when that transaction has finished or expired. Decided statuses are remembered, so many locks of one
/// transaction cost one status check.
/// </summary>
public sealed class LockResolver
{
    private const int MaxRememberedStatuses = 4096;
    private readonly RegionCache _cache;
    private readonly ConcurrentDictionary<ulong, ulong> _decided = new();

    /// <summary>Creates a resolver over <paramref name="cache"/>.</summary>
    public LockResolver(RegionCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        _cache = cache;
    }

    /// <summary>Number of locks committed or rolled back by this resolver (for monitoring and tests).</summary>
    public long ResolvedLocks => Interlocked.Read(ref _resolved);

    private long _resolved;

    /// <summary>
    /// Tries to clear <paramref name="locks"/> for a reader that started at <paramref name="callerStartTs"/> (writers pass 0:
    /// pushing a live lock's min commit ts only lets readers through).
    /// Returns zero when every lock is gone or no longer blocks the caller (its min commit ts was pushed past it);
    /// otherwise the time until the longest-lived remaining lock expires, which the caller backs off for.
    /// </summary>
    public async Task<TimeSpan> ResolveAsync(IReadOnlyCollection<LockInfo> locks, ulong callerStartTs, Backoffer backoffer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(locks);
        ArgumentNullException.ThrowIfNull(backoffer);
        var wait = TimeSpan.Zero;
        var seen = new HashSet<(ulong, ulong)>();
        foreach (var info in locks)
        {
            var status = await GetStatusAsync(info, callerStartTs, backoffer, cancellationToken).ConfigureAwait(false);
            if (status.Alive)
            {
                if (!status.Pushed && status.UntilExpiry > wait)
                {
                    wait = status.UntilExpiry;
                }

                continue;
            }

            var region = await _cache.LocateKeyAsync(info.Key.Memory, KeyMode.Txn, backoffer, cancellationToken).ConfigureAwait(false);
            if (!seen.Add((region.Id, info.LockVersion)))
            {
                continue;
            }

            await ResolveInRegionAsync(info, status.CommitTs, backoffer, cancellationToken).ConfigureAwait(false);
        }

        return wait;
    }

    private async Task ResolveInRegionAsync(LockInfo info, ulong commitTs, Backoffer backoffer, CancellationToken cancellationToken)
    {
        var what = $"resolving lock of txn {info.LockVersion} on key {Convert.ToHexString(info.Key.Span)}";
        var (region, response) = await _cache.Requests.SendToKeyAsync(info.Key.Memory, KeyMode.Txn, "KvResolveLock", static (t, r, o) => t.KvResolveLockAsync(r, o),
            c => new ResolveLockRequest { Context = c, StartVersion = info.LockVersion, CommitVersion = commitTs },
            r => r.RegionError, backoffer, what, cancellationToken).ConfigureAwait(false);
        if (response.Error is { } error)
        {
            throw new TxnAbortedException($"{what} in {region} failed: {TxnErrorFormat.Describe(error)}", isRetryable: true);
        }

        Interlocked.Increment(ref _resolved);
    }

    private async Task<LockStatus> GetStatusAsync(LockInfo info, ulong callerStartTs, Backoffer backoffer, CancellationToken cancellationToken)
    {
        if (_decided.TryGetValue(info.LockVersion, out var known))
        {
            return new LockStatus(false, known, false, TimeSpan.Zero);
        }

        var what = $"checking txn {info.LockVersion} (primary {Convert.ToHexString(info.PrimaryLock.Span)}) for the lock on key {Convert.ToHexString(info.Key.Span)}";
        while (true)
        {
            var currentTs = await _cache.Pd.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
            // A missing primary lock is only rolled back once the lock we saw has expired; before that the primary's
            // prewrite may still be on its way.
            var expired = Tso.Physical(info.LockVersion) + (long)info.LockTtl < Tso.Physical(currentTs);
            var region = await _cache.LocateKeyAsync(info.PrimaryLock.Memory, KeyMode.Txn, backoffer, cancellationToken).ConfigureAwait(false);
            var response = await _cache.SendAsync(region, "KvCheckTxnStatus", static (t, r, o) => t.KvCheckTxnStatusAsync(r, o), c => new CheckTxnStatusRequest
            {
                Context = c,
                PrimaryKey = info.PrimaryLock,
                LockTs = info.LockVersion,
                CallerStartTs = callerStartTs,
                CurrentTs = currentTs,
                RollbackIfNotExist = expired,
            }, r => r.RegionError, backoffer, what, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                continue;
            }

            if (response.Error is { } error)
            {
                if (error.TxnNotFound is not null)
                {
                    return new LockStatus(true, 0, false, TimeSpan.FromMilliseconds(Math.Max(1, Tso.Physical(info.LockVersion) + (long)info.LockTtl - Tso.Physical(currentTs))));
                }

                throw new TxnAbortedException($"{what} in {region} failed: {TxnErrorFormat.Describe(error)}", isRetryable: true);
            }

            if (response.LockTtl > 0)
            {
                var remaining = Tso.Physical(info.LockVersion) + (long)response.LockTtl - Tso.Physical(currentTs);
                return new LockStatus(true, 0, response.Action == Rpc.Kvrpcpb.Action.MinCommitTspushed, TimeSpan.FromMilliseconds(Math.Max(1, remaining)));
            }

            if (_decided.Count >= MaxRememberedStatuses)
            {
                _decided.Clear();
            }

            _decided[info.LockVersion] = response.CommitVersion;
            return new LockStatus(false, response.CommitVersion, false, TimeSpan.Zero);
        }
    }

    private readonly record struct LockStatus(bool Alive, ulong CommitTs, bool Pushed, TimeSpan UntilExpiry);
}
