using System.Collections.Concurrent;
using Cairn.Client.Txn;
using Cairn.Common.Keys;

namespace Cairn.Client.Catalog;

/// <summary>
/// Hands out tables' row-id/auto-increment and auto-random ids, reserving <see cref="CatalogOptions.AutoIdBatch"/>
/// ids from the meta allocator at a time (so ids are unique but not gap-free across clients).
/// </summary>
internal sealed class AutoIdAllocator(TxnClient client, CatalogOptions options)
{
    private readonly ConcurrentDictionary<(long, bool), AutoIdCache> _caches = new();

    public async Task<long> NextAsync(long databaseId, long tableId, bool autoRandom, CancellationToken cancellationToken)
    {
        var cache = _caches.GetOrAdd((tableId, autoRandom), _ => new AutoIdCache());
        await cache.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (cache.Next > cache.End)
            {
                var field = autoRandom ? MetaKeys.AutoRandomIdField(tableId) : MetaKeys.AutoTableIdField(tableId);
                var end = await client.RunInTransactionAsync(async txn =>
                    await new MetaAccess(txn).HashIncrementAsync(MetaKeys.DatabaseField(databaseId), field, options.AutoIdBatch, cancellationToken).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
                cache.Next = end - options.AutoIdBatch + 1;
                cache.End = end;
            }

            return cache.Next++;
        }
        finally
        {
            cache.Lock.Release();
        }
    }

    public async Task ObserveAsync(long databaseId, long tableId, long value, CancellationToken cancellationToken)
    {
        var cache = _caches.GetOrAdd((tableId, false), _ => new AutoIdCache());
        await cache.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if ((value < cache.Next && cache.Next <= cache.End) || value <= cache.ObservedMax)
            {
                return;
            }

            var end = await client.RunInTransactionAsync(async txn =>
            {
                var meta = new MetaAccess(txn);
                var field = MetaKeys.AutoTableIdField(tableId);
                var current = await meta.HashGetIntAsync(MetaKeys.DatabaseField(databaseId), field, cancellationToken).ConfigureAwait(false);
                if (value > current)
                {
                    await meta.HashSetAsync(MetaKeys.DatabaseField(databaseId), field, MetaAccess.FormatInt(value), cancellationToken).ConfigureAwait(false);
                }

                return Math.Max(value, current);
            }, cancellationToken).ConfigureAwait(false);
            cache.ObservedMax = Math.Max(cache.ObservedMax, end);
            if (cache.Next <= value)
            {
                // Ids below the new base that this cache still holds may collide with the explicit value's neighbours: drop them.
                cache.Next = end + 1;
                cache.End = end;
            }
        }
        finally
        {
            cache.Lock.Release();
        }
    }

    /// <summary>Drops the cached ranges of a table whose allocator base changed (rebase, truncate).</summary>
    public void Forget(long tableId)
    {
        _caches.TryRemove((tableId, false), out _);
        _caches.TryRemove((tableId, true), out _);
    }

    private sealed class AutoIdCache
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public long Next { get; set; } = 1;

        public long End { get; set; }

        /// <summary>The allocator base known to be at least this (explicit values up to it need no rebase).</summary>
        public long ObservedMax { get; set; }
    }
}
