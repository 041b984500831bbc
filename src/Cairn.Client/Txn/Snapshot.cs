using System.Collections.Concurrent;
using Cairn.Client.Regions;
using Cairn.Common.Keys;
using Cairn.Rpc.Kvrpcpb;

namespace Cairn.Client.Txn;

/// <summary>
/// Consistent reads at one timestamp across all regions. A read that meets the lock of a transaction that may commit
/// below the timestamp resolves it (see <see cref="LockResolver"/>), waiting for live locks to expire within the read
/// budget, and retries. Safe for concurrent use.
/// </summary>
public sealed class Snapshot
{
    private readonly TxnClient _client;

    internal Snapshot(TxnClient client, ulong timestamp)
    {
        _client = client;
        Timestamp = timestamp;
    }

    /// <summary>The read timestamp.</summary>
    public ulong Timestamp { get; }

    private RegionCache Cache => _client.Cache;

    /// <summary>The value of <paramref name="key"/> at the snapshot, or null when it has none.</summary>
    public async Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var backoffer = _client.NewReadBackoffer();
        var keyBytes = Google.Protobuf.ByteString.CopyFrom(key);
        var what = $"get of key {Convert.ToHexString(key)} at ts {Timestamp}";
        while (true)
        {
            var (region, response) = await Cache.Requests.SendToKeyAsync(key, KeyMode.Txn, "KvGet", static (t, r, o) => t.KvGetAsync(r, o),
                c => new GetRequest { Context = c, Key = keyBytes, Version = Timestamp }, r => r.RegionError, backoffer, what, cancellationToken).ConfigureAwait(false);
            if (response.Error is { } error)
            {
                await HandleReadErrorAsync(error, what, region, backoffer, cancellationToken).ConfigureAwait(false);
                continue;
            }

            return response.NotFound ? null : response.Value.ToByteArray();
        }
    }

    /// <summary>The values of those of <paramref name="keys"/> that have one at the snapshot; regions are read in parallel.</summary>
    public async Task<IReadOnlyDictionary<byte[], byte[]>> BatchGetAsync(IEnumerable<byte[]> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var backoffer = _client.NewReadBackoffer();
        var results = new ConcurrentDictionary<byte[], byte[]>(ByteKeyComparer.Instance);
        await BatchGetKeysAsync(keys.Distinct(ByteKeyComparer.Instance).ToList(), results, backoffer, cancellationToken).ConfigureAwait(false);
        return new Dictionary<byte[], byte[]>(results, ByteKeyComparer.Instance);
    }

    /// <summary>
    /// Pairs with keys in <c>[start, end)</c> (empty end = unbounded) at the snapshot in key order, at most
    /// <paramref name="limit"/>, across regions.
    /// </summary>
    public async Task<IReadOnlyList<KeyValuePair<byte[], byte[]>>> ScanAsync(byte[] start, byte[] end, int limit = int.MaxValue, bool keyOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var backoffer = _client.NewReadBackoffer();
        var results = new List<KeyValuePair<byte[], byte[]>>();
        var endRegionKey = end.Length == 0 ? null : RegionCache.ToRegionKey(end, KeyMode.Txn);
        var cursor = start;
        var endBytes = Google.Protobuf.ByteString.CopyFrom(end);
        while (results.Count < limit && (end.Length == 0 || cursor.AsSpan().SequenceCompareTo(end) < 0))
        {
            var batch = (uint)Math.Min(_client.Options.ScanBatchSize, limit - results.Count);
            var from = Google.Protobuf.ByteString.CopyFrom(cursor);
            var what = $"scan from key {Convert.ToHexString(cursor)} at ts {Timestamp}";
            var (region, response) = await Cache.Requests.SendToKeyAsync(cursor, KeyMode.Txn, "KvScan", static (t, r, o) => t.KvScanAsync(r, o),
                c => new ScanRequest { Context = c, StartKey = from, EndKey = endBytes, Limit = batch, Version = Timestamp, KeyOnly = keyOnly },
                r => r.RegionError, backoffer, what, cancellationToken).ConfigureAwait(false);
            if (response.Error is { } error)
            {
                await HandleReadErrorAsync(error, what, region, backoffer, cancellationToken).ConfigureAwait(false);
                continue;
            }

            foreach (var pair in response.Pairs)
            {
                results.Add(new KeyValuePair<byte[], byte[]>(pair.Key.ToByteArray(), pair.Value.ToByteArray()));
            }

            if (response.Pairs.Count == batch)
            {
                // The region may hold more: continue right after the last key.
                var last = results[^1].Key;
                cursor = new byte[last.Length + 1];
                last.CopyTo(cursor, 0);
                continue;
            }

            var regionEnd = region.Region.EndKey;
            if (regionEnd.IsEmpty || (endRegionKey is not null && regionEnd.Span.SequenceCompareTo(endRegionKey) >= 0))
            {
                break;
            }

            cursor = RegionCache.ToUserKey(regionEnd.Span, KeyMode.Txn);
        }

        return results;
    }

    internal async Task HandleReadErrorAsync(KeyError error, string what, CachedRegion region, Backoffer backoffer, CancellationToken cancellationToken)
    {
        if (error.Locked is not { } locked)
        {
            throw new TxnAbortedException($"{what} on {region} failed: {TxnErrorFormat.Describe(error)}", isRetryable: true);
        }

        var wait = await _client.Resolver.ResolveAsync([locked], Timestamp, backoffer, cancellationToken).ConfigureAwait(false);
        if (wait > TimeSpan.Zero)
        {
            await backoffer.BackoffAsync(BackoffKind.TxnLock, $"{what} (key {Convert.ToHexString(locked.Key.Span)} locked by txn {locked.LockVersion})",
                TxnErrorFormat.Describe(error), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task BatchGetKeysAsync(IReadOnlyList<byte[]> keys, ConcurrentDictionary<byte[], byte[]> results, Backoffer backoffer, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }

        var groups = await Cache.GroupKeysByRegionAsync(keys, KeyMode.Txn, backoffer, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(groups.Select(g => BatchGetGroupAsync(g, results, backoffer, cancellationToken))).ConfigureAwait(false);
    }

    private async Task BatchGetGroupAsync(KeyGroup group, ConcurrentDictionary<byte[], byte[]> results, Backoffer backoffer, CancellationToken cancellationToken)
    {
        var what = $"batch get of {group.Keys.Count} keys from {Convert.ToHexString(group.Keys[0])} at ts {Timestamp}";
        var response = await Cache.SendAsync(group.Region, "KvBatchGet", static (t, r, o) => t.KvBatchGetAsync(r, o),
            c => new BatchGetRequest { Context = c, Keys = { group.Keys.Select(Google.Protobuf.ByteString.CopyFrom) }, Version = Timestamp },
            r => r.RegionError, backoffer, what, cancellationToken).ConfigureAwait(false);
        if (response is not null && response.Error is { } error)
        {
            await HandleReadErrorAsync(error, what, group.Region, backoffer, cancellationToken).ConfigureAwait(false);
            response = null;
        }

        if (response is null)
        {
            await BatchGetKeysAsync(group.Keys, results, backoffer, cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var pair in response.Pairs)
        {
            if (pair.Error is { } pairError)
            {
                await HandleReadErrorAsync(pairError, what, group.Region, backoffer, cancellationToken).ConfigureAwait(false);
                await BatchGetKeysAsync(group.Keys, results, backoffer, cancellationToken).ConfigureAwait(false);
                return;
            }

            results[pair.Key.ToByteArray()] = pair.Value.ToByteArray();
        }
    }
}
