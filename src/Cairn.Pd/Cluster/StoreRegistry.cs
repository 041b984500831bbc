using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Cluster;

/// <summary>
/// The stores pd knows, persisted through <see cref="PdStorage"/>. Not thread-safe: <see cref="PdCluster"/>'s lock
/// guards it together with the regions and operators, because scheduling reads all three at once.
/// </summary>
internal sealed class StoreRegistry
{
    private readonly PdStorage _storage;
    private readonly IdAllocator _ids;
    private readonly PdServerOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<ulong, StoreInfo> _stores = [];

    public StoreRegistry(PdStorage storage, IdAllocator ids, PdServerOptions options, TimeProvider time)
    {
        _storage = storage;
        _ids = ids;
        _options = options;
        _time = time;
        var now = time.GetUtcNow();
        foreach (var store in storage.LoadStores())
        {
            _stores[store.Id] = new StoreInfo(store, now);
        }
    }

    public IEnumerable<StoreInfo> All => _stores.Values;

    /// <summary>Adds the first store; bootstrap persists it together with the first region.</summary>
    public void AddBootstrapped(Store meta) => _stores[meta.Id] = new StoreInfo(meta, _time.GetUtcNow());

    public void Put(Store store)
    {
        foreach (var other in _stores.Values)
        {
            if (other.Id != store.Id && other.Meta.State != StoreState.Tombstone && other.Meta.Address == store.Address)
            {
                throw new PdErrorException(ErrorType.DuplicatedEntry, $"store {other.Id} already uses address {store.Address}");
            }
        }

        var meta = store.Clone();
        if (_stores.TryGetValue(store.Id, out var existing))
        {
            if (existing.Meta.State == StoreState.Tombstone)
            {
                throw new PdErrorException(ErrorType.StoreTombstone, $"store {store.Id} is tombstone");
            }

            // A restarting store re-registers: it may change address, labels and version, but not the state
            // an administrator gave it.
            meta.State = existing.Meta.State;
            existing.Meta = meta;
            existing.LastSeen = _time.GetUtcNow();
        }
        else
        {
            meta.State = StoreState.Up;
            _stores[meta.Id] = new StoreInfo(meta, _time.GetUtcNow());
        }

        _ids.ObserveUsed(meta.Id);
        _storage.SaveStore(meta);
    }

    public (Store Store, StoreStats? Stats) Get(ulong id)
    {
        if (!_stores.TryGetValue(id, out var store))
        {
            throw new PdErrorException(ErrorType.Unknown, $"invalid store ID {id}, not found");
        }

        return (store.ToReported(), store.Stats);
    }

    public List<Store> List(bool excludeTombstone)
    {
        var result = new List<Store>(_stores.Count);
        foreach (var store in _stores.Values.OrderBy(s => s.Id))
        {
            if (!excludeTombstone || store.Meta.State != StoreState.Tombstone)
            {
                result.Add(store.ToReported());
            }
        }

        return result;
    }

    public void Heartbeat(StoreStats stats)
    {
        if (!_stores.TryGetValue(stats.StoreId, out var store))
        {
            throw new PdErrorException(ErrorType.Unknown, $"store {stats.StoreId} not found");
        }

        if (store.Meta.State == StoreState.Tombstone)
        {
            throw new PdErrorException(ErrorType.StoreTombstone, $"store {stats.StoreId} is tombstone");
        }

        var now = _time.GetUtcNow();
        store.Stats = stats;
        store.LastSeen = now;
        store.LastHeartbeat = now;
    }

    public void SetOffline(ulong id)
    {
        if (!_stores.TryGetValue(id, out var store))
        {
            throw new PdErrorException(ErrorType.EntryNotFound, $"store {id} not found");
        }

        if (store.Meta.State == StoreState.Tombstone)
        {
            throw new PdErrorException(ErrorType.StoreTombstone, $"store {id} is already tombstone");
        }

        if (store.Meta.State == StoreState.Offline)
        {
            return;
        }

        SetState(store, StoreState.Offline);
    }

    public void SetState(StoreInfo store, StoreState state)
    {
        var meta = store.Meta.Clone();
        meta.State = state;
        _storage.SaveStore(meta);
        store.Meta = meta;
    }

    public StoreStateName StateName(StoreInfo store, DateTimeOffset now) =>
        store.StateName(now, _options.StoreDisconnectTime, _options.StoreDownTime);

    /// <summary>Stores that may receive regions: Up (heartbeating), not Offline/Down/Tombstone, not TiFlash.</summary>
    public List<ulong> Schedulable(DateTimeOffset now) =>
        _stores.Values
            .Where(s => !s.IsTiFlash && StateName(s, now) == StoreStateName.Up)
            .Select(s => s.Id)
            .OrderBy(id => id)
            .ToList();
}
