using Cairn.RocksDb;

namespace Cairn.Store.Engine;

/// <summary>
/// The store's one RocksDB with the column families <c>default</c>, <c>write</c> and <c>lock</c>, tuned as TiKV
/// tunes its kv engine: LZ4 on the upper levels, ZSTD at the bottom, bloom filters, one shared block cache. Every SST
/// of the write CF carries its MVCC properties (smallest and largest commit ts, <see cref="MvccTableProperties"/>), so
/// an incremental backup's scan skips files holding nothing newer than its start version, and the database keeps
/// RocksDB's statistics (<see cref="RocksDatabase.GetTicker"/>), as TiKV does.
/// </summary>
/// <remarks>
/// Durability: the WAL is always on. Data writes are not fsynced by default (<see cref="SyncDataWrites"/>): each write
/// reaches the operating system before it is acknowledged, so a crash of the store process (kill -9) loses nothing,
/// while a machine crash may lose the last unsynced writes. TiKV makes the same trade for its kv engine and relies on
/// its synced raft log; we have no raft log yet, so power-loss durability is the <c>--sync-writes</c> option.
/// Metadata (store identity, regions, ID high-water marks) is always written with fsync: it is rare and losing it
/// would corrupt the region map.
/// </remarks>
internal sealed class StoreEngine : IDisposable
{
    private StoreEngine(RocksDatabase db, bool syncDataWrites)
    {
        Db = db;
        Default = db.GetColumnFamily(CfNames.Default);
        Write = db.GetColumnFamily(CfNames.Write);
        Lock = db.GetColumnFamily(CfNames.Lock);
        SyncDataWrites = syncDataWrites;
        DataWriteOptions = new WriteOptions(sync: syncDataWrites);
        MetaWriteOptions = new WriteOptions(sync: true);
    }

    /// <summary>The database.</summary>
    public RocksDatabase Db { get; }

    /// <summary>The default column family.</summary>
    public ColumnFamily Default { get; }

    /// <summary>The write column family.</summary>
    public ColumnFamily Write { get; }

    /// <summary>The lock column family.</summary>
    public ColumnFamily Lock { get; }

    /// <summary>Whether data writes are fsynced before they are acknowledged.</summary>
    public bool SyncDataWrites { get; }

    /// <summary>Options for data writes.</summary>
    public WriteOptions DataWriteOptions { get; }

    /// <summary>Options for metadata writes (always synced).</summary>
    public WriteOptions MetaWriteOptions { get; }

    /// <summary>Opens (or creates) the engine under <paramref name="path"/>.</summary>
    public static StoreEngine Open(string path, long blockCacheSize, bool syncDataWrites)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(path);
        // LZ4 for L0..L4 keeps compaction cheap, ZSTD at the bottom where most bytes live (TiKV's defaults:
        // ["no", "no", "lz4", "lz4", "lz4", "zstd", "zstd"]; L0/L1 are compressed here too since they are small).
        Compression[] perLevel = [Compression.Lz4, Compression.Lz4, Compression.Lz4, Compression.Lz4, Compression.Lz4, Compression.Zstd, Compression.Zstd];
        var data = new ColumnFamilyOptions
        {
            Compression = Compression.Lz4,
            CompressionPerLevel = perLevel,
            BottommostCompression = Compression.Zstd,
            BloomFilterBitsPerKey = 10,
            BlockSize = 64 * 1024,
            WriteBufferSize = 64L * 1024 * 1024,
            MaxWriteBufferNumber = 5,
        };
        var lockCf = data with
        {
            // Locks are few and short-lived: no compression, small blocks, as TiKV's lock CF.
            Compression = Compression.None,
            CompressionPerLevel = null,
            BottommostCompression = null,
            BlockSize = 16 * 1024,
            WriteBufferSize = 32L * 1024 * 1024,
        };
        var options = new RocksDbOptions
        {
            ColumnFamilies =
            [
                new ColumnFamilyDescriptor(CfNames.Default, data),
                new ColumnFamilyDescriptor(CfNames.Write, data with { MvccPropertiesCollector = true }),
                new ColumnFamilyDescriptor(CfNames.Lock, lockCf),
            ],
            BlockCacheSize = blockCacheSize,
            MaxBackgroundJobs = 4,
            EnableStatistics = true,
        };
        return new StoreEngine(RocksDatabase.Open(path, options), syncDataWrites);
    }

    /// <summary>Resolves a kvproto <c>cf</c> field ("" means default); null when the name is unknown.</summary>
    public ColumnFamily? ResolveCf(string? name) => name switch
    {
        null or "" or CfNames.Default => Default,
        CfNames.Write => Write,
        CfNames.Lock => Lock,
        _ => null,
    };

    /// <summary>Applies a batch of data changes atomically.</summary>
    public void WriteData(WriteBatch batch) => Db.Write(batch, DataWriteOptions);

    /// <summary>Applies a batch of metadata changes atomically and durably.</summary>
    public void WriteMeta(WriteBatch batch) => Db.Write(batch, MetaWriteOptions);

    /// <inheritdoc/>
    public void Dispose()
    {
        DataWriteOptions.Dispose();
        MetaWriteOptions.Dispose();
        Db.Dispose();
    }
}
