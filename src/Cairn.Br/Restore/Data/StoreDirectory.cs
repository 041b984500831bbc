using System.Collections.Concurrent;
using Cairn.Br.Cluster;
using Cairn.Rpc.Metapb;

namespace Cairn.Br.Restore.Data;

/// <summary>The stores peers live on, fetched from pd once each.</summary>
internal sealed class StoreDirectory(ClusterConnection cluster)
{
    private readonly ConcurrentDictionary<ulong, Store> _stores = new();

    /// <summary>The store with id <paramref name="storeId"/>.</summary>
    public async Task<Store> GetAsync(ulong storeId, CancellationToken cancellationToken)
    {
        if (_stores.TryGetValue(storeId, out var known))
        {
            return known;
        }

        var store = await cluster.Pd.GetStoreAsync(storeId, cancellationToken).ConfigureAwait(false);
        _stores[storeId] = store;
        return store;
    }

    /// <summary>Forgets a store (its address may have changed).</summary>
    public void Forget(ulong storeId) => _stores.TryRemove(storeId, out _);
}
