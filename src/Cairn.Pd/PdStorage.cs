using System.Buffers.Binary;
using System.Text;
using Cairn.Pd.Gc;
using Cairn.RocksDb;
using Cairn.Rpc.Metapb;
using Google.Protobuf;

namespace Cairn.Pd;

/// <summary>
/// pd's persisted metadata in its own RocksDB (one default column family). Writes that guard uniqueness (timestamp
/// window, ID block, cluster id) are synced so even a machine crash cannot hand out a value twice; the rest rely on
/// the WAL, which survives a killed process.
/// </summary>
internal sealed class PdStorage : IDisposable
{
    private static readonly byte[] ClusterIdKey = "meta/cluster_id"u8.ToArray();
    private static readonly byte[] BootstrappedKey = "meta/bootstrapped"u8.ToArray();
    private static readonly byte[] TsoKey = "meta/tso_high_water"u8.ToArray();
    private static readonly byte[] AllocIdKey = "meta/alloc_id_ceiling"u8.ToArray();
    private static readonly byte[] GcSafePointKey = "meta/gc_safe_point"u8.ToArray();
    private static readonly byte[] StorePrefix = "store/"u8.ToArray();
    private static readonly byte[] RegionPrefix = "region/"u8.ToArray();
    private static readonly byte[] ServicePrefix = "gc_service/"u8.ToArray();
    private static readonly byte[] SchedulerPrefix = "scheduler/"u8.ToArray();

    private readonly RocksDatabase _db;
    private readonly ColumnFamily _cf;
    private readonly WriteOptions _sync = new(sync: true);

    public PdStorage(string directory)
    {
        Directory.CreateDirectory(directory);
        _db = RocksDatabase.Open(Path.Combine(directory, "meta"));
        _cf = _db.DefaultColumnFamily;
    }

    public ulong? LoadClusterId() => LoadUInt64(ClusterIdKey);

    public void SaveClusterId(ulong id) => SaveUInt64(ClusterIdKey, id, sync: true);

    public bool LoadBootstrapped() => _db.Get(_cf, BootstrappedKey) is not null;

    public ulong LoadTsoHighWater() => LoadUInt64(TsoKey) ?? 0;

    public void SaveTsoHighWater(ulong physicalMs) => SaveUInt64(TsoKey, physicalMs, sync: true);

    public ulong LoadAllocIdCeiling() => LoadUInt64(AllocIdKey) ?? 0;

    public void SaveAllocIdCeiling(ulong ceiling) => SaveUInt64(AllocIdKey, ceiling, sync: true);

    public ulong LoadGcSafePoint() => LoadUInt64(GcSafePointKey) ?? 0;

    public void SaveGcSafePoint(ulong safePoint) => SaveUInt64(GcSafePointKey, safePoint, sync: false);

    /// <summary>Writes the first store and region and the bootstrapped mark in one batch.</summary>
    public void SaveBootstrap(Store store, Rpc.Pdpb.Region region)
    {
        using var batch = new WriteBatch();
        batch.Put(_cf, IdKey(StorePrefix, store.Id), store.ToByteArray());
        batch.Put(_cf, IdKey(RegionPrefix, region.Region_.Id), region.ToByteArray());
        batch.Put(_cf, BootstrappedKey, [1]);
        _db.Write(batch, _sync);
    }

    public void SaveStore(Store store) => _db.Put(_cf, IdKey(StorePrefix, store.Id), store.ToByteArray());

    public List<Store> LoadStores() => LoadAll(StorePrefix, Store.Parser);

    /// <summary>Saves <paramref name="save"/> and deletes the regions it replaced, atomically.</summary>
    public void SaveRegions(IEnumerable<Rpc.Pdpb.Region> save, IEnumerable<ulong> delete)
    {
        using var batch = new WriteBatch();
        foreach (var id in delete)
        {
            batch.Delete(_cf, IdKey(RegionPrefix, id));
        }

        foreach (var region in save)
        {
            batch.Put(_cf, IdKey(RegionPrefix, region.Region_.Id), region.ToByteArray());
        }

        if (batch.Count > 0)
        {
            _db.Write(batch);
        }
    }

    public List<Rpc.Pdpb.Region> LoadRegions() => LoadAll(RegionPrefix, Rpc.Pdpb.Region.Parser);

    public void SaveServiceSafePoint(ServiceSafePoint point)
    {
        var value = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(value, point.SafePoint);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(8), point.ExpiresAtUnixSeconds);
        _db.Put(_cf, [.. ServicePrefix, .. Encoding.UTF8.GetBytes(point.ServiceId)], value);
    }

    public void DeleteServiceSafePoint(string serviceId) => _db.Delete(_cf, [.. ServicePrefix, .. Encoding.UTF8.GetBytes(serviceId)]);

    public List<ServiceSafePoint> LoadServiceSafePoints()
    {
        var result = new List<ServiceSafePoint>();
        using var iterator = _db.NewIterator(_cf, ServicePrefix, KeyBytesPrefixEnd(ServicePrefix));
        for (iterator.SeekToFirst(); iterator.Valid; iterator.Next())
        {
            var id = Encoding.UTF8.GetString(iterator.Key[ServicePrefix.Length..]);
            var value = iterator.Value;
            result.Add(new ServiceSafePoint(id, BinaryPrimitives.ReadUInt64BigEndian(value), BinaryPrimitives.ReadInt64BigEndian(value[8..])));
        }

        iterator.ThrowIfError();
        return result;
    }

    /// <summary>A scheduler's persisted on/off switch; null when never set.</summary>
    public bool? LoadSchedulerEnabled(string name)
    {
        var value = _db.Get(_cf, [.. SchedulerPrefix, .. Encoding.UTF8.GetBytes(name)]);
        return value is null ? null : value.Length > 0 && value[0] == 1;
    }

    public void SaveSchedulerEnabled(string name, bool enabled) =>
        _db.Put(_cf, [.. SchedulerPrefix, .. Encoding.UTF8.GetBytes(name)], [enabled ? (byte)1 : (byte)0]);

    public void Dispose()
    {
        _db.Dispose();
        _sync.Dispose();
    }

    private static byte[] IdKey(byte[] prefix, ulong id)
    {
        var key = new byte[prefix.Length + 8];
        prefix.CopyTo(key, 0);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(prefix.Length), id);
        return key;
    }

    private static byte[] KeyBytesPrefixEnd(byte[] prefix) => Common.Codec.KeyBytes.PrefixNext(prefix);

    private List<T> LoadAll<T>(byte[] prefix, MessageParser<T> parser)
        where T : IMessage<T>
    {
        var result = new List<T>();
        using var iterator = _db.NewIterator(_cf, prefix, KeyBytesPrefixEnd(prefix));
        for (iterator.SeekToFirst(); iterator.Valid; iterator.Next())
        {
            result.Add(parser.ParseFrom(iterator.Value));
        }

        iterator.ThrowIfError();
        return result;
    }

    private ulong? LoadUInt64(byte[] key)
    {
        var value = _db.Get(_cf, key);
        return value is null ? null : BinaryPrimitives.ReadUInt64BigEndian(value);
    }

    private void SaveUInt64(byte[] key, ulong value, bool sync)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        _db.Put(_cf, key, bytes, sync ? _sync : null);
    }
}
