using System.Runtime.InteropServices;
using Cairn.RocksDb.Native;

namespace Cairn.RocksDb;

/// <summary>
/// An open RocksDB database with its column families. Thread-safe. Disposing it closes the database once every
/// snapshot, iterator and pinned value taken from it has been disposed too (they hold it open, so disposing in any
/// order is safe); until then the files stay locked.
/// </summary>
public sealed partial class RocksDatabase : IDisposable
{
    private readonly DbSafeHandle _db;
    private readonly Lock _columnFamiliesLock = new();
    private readonly Dictionary<string, ColumnFamily> _columnFamilies;
    private readonly CacheSafeHandle? _blockCache;
    private readonly StatisticsSafeHandle? _statistics;
    private readonly WriteOptions _defaultWrite = new();
    private readonly ReadOptions _defaultRead = new();

    // SafeHandle refuses new references only once its count reaches zero, and iterators or snapshots may keep it
    // above zero after Dispose; this flag makes every later call on the database fail the same way regardless.
    private volatile bool _disposed;

    private RocksDatabase(string path, DbSafeHandle db, Dictionary<string, ColumnFamily> columnFamilies, CacheSafeHandle? blockCache,
        StatisticsSafeHandle? statistics)
    {
        Path = path;
        _db = db;
        _columnFamilies = columnFamilies;
        _blockCache = blockCache;
        _statistics = statistics;
    }

    /// <summary>The database directory.</summary>
    public string Path { get; }

    /// <summary>The <c>default</c> column family.</summary>
    public ColumnFamily DefaultColumnFamily => GetColumnFamily(RocksDbOptions.DefaultColumnFamilyName);

    /// <summary>The open column families.</summary>
    public IReadOnlyList<ColumnFamily> ColumnFamilies
    {
        get
        {
            lock (_columnFamiliesLock)
            {
                return [.. _columnFamilies.Values];
            }
        }
    }

    internal DbSafeHandle Handle => _db;

    /// <summary>
    /// Opens (or creates) the database at <paramref name="path"/> with the column families in
    /// <paramref name="options"/>. Every compression named in the options is checked first.
    /// </summary>
    public static unsafe RocksDatabase Open(string path, RocksDbOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new RocksDbOptions();
        var descriptors = Normalize(options.ColumnFamilies);

        CacheSafeHandle? cache = null;
        StatisticsSafeHandle? statistics = null;
        var cfOptions = new OptionsSafeHandle[descriptors.Count];
        OptionsSafeHandle? dbOptions = null;
        try
        {
            if (options.BlockCacheSize is { } cacheSize)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cacheSize, nameof(options.BlockCacheSize));
                cache = new CacheSafeHandle();
                cache.Attach(NativeMethods.rocksdb_cache_create_lru(checked((nuint)cacheSize)));
            }

            var defaultCf = descriptors.First(d => d.Name == RocksDbOptions.DefaultColumnFamilyName);
            dbOptions = OptionsBuilder.ForDatabase(options, defaultCf.Options ?? new ColumnFamilyOptions(), cache);
            if (options.EnableStatistics)
            {
                statistics = OptionsBuilder.EnableStatistics(dbOptions);
            }

            for (var i = 0; i < descriptors.Count; i++)
            {
                cfOptions[i] = OptionsBuilder.ForColumnFamily(descriptors[i].Options ?? new ColumnFamilyOptions(), cache);
            }

            var names = descriptors.Select(d => d.Name).ToArray();
            var optionPtrs = stackalloc IntPtr[names.Length];
            var handlePtrs = stackalloc IntPtr[names.Length];
            for (var i = 0; i < names.Length; i++)
            {
                optionPtrs[i] = cfOptions[i].DangerousGetHandle();
                handlePtrs[i] = IntPtr.Zero;
            }

            var dbPtr = NativeMethods.rocksdb_open_column_families(dbOptions, path, names.Length, names, optionPtrs, handlePtrs, out var err);
            GC.KeepAlive(cfOptions);
            NativeMethods.Check(err);

            var db = new DbSafeHandle();
            db.Attach(dbPtr);
            var families = new Dictionary<string, ColumnFamily>(StringComparer.Ordinal);
            var instance = new RocksDatabase(path, db, families, cache, statistics);
            for (var i = 0; i < names.Length; i++)
            {
                var cf = new ColumnFamilySafeHandle();
                cf.AddParent(db);
                cf.Attach(handlePtrs[i]);
                families[names[i]] = new ColumnFamily(instance, names[i], cf);
            }

            cache = null; // owned by the instance now
            statistics = null;
            return instance;
        }
        finally
        {
            cache?.Dispose();
            statistics?.Dispose();
            dbOptions?.Dispose();
            foreach (var o in cfOptions)
            {
                o?.Dispose();
            }
        }
    }

    /// <summary>Lists the column families of the database at <paramref name="path"/> without opening it.</summary>
    public static IReadOnlyList<string> ListColumnFamilies(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var options = OptionsBuilder.Create();
        var list = NativeMethods.rocksdb_list_column_families(options, path, out var count, out var err);
        NativeMethods.Check(err);
        try
        {
            var names = new string[(int)count];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(list, i * IntPtr.Size))!;
            }

            return names;
        }
        finally
        {
            NativeMethods.rocksdb_list_column_families_destroy(list, count);
        }
    }

    /// <summary>Returns the open column family called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such column family is open.</exception>
    public ColumnFamily GetColumnFamily(string name)
    {
        if (TryGetColumnFamily(name, out var cf))
        {
            return cf;
        }

        throw new KeyNotFoundException($"Column family '{name}' is not open in {Path}.");
    }

    /// <summary>Looks up an open column family.</summary>
    public bool TryGetColumnFamily(string name, out ColumnFamily columnFamily)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_columnFamiliesLock)
        {
            return _columnFamilies.TryGetValue(name, out columnFamily!);
        }
    }

    /// <summary>Creates a column family in the open database.</summary>
    public ColumnFamily CreateColumnFamily(string name, ColumnFamilyOptions? options = null)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrEmpty(name);
        options ??= new ColumnFamilyOptions();
        using var native = OptionsBuilder.ForColumnFamily(options, _blockCache);
        lock (_columnFamiliesLock)
        {
            if (_columnFamilies.ContainsKey(name))
            {
                throw new RocksDbException($"Invalid argument: Column family already exists: {name}", RocksDbStatusKind.InvalidArgument);
            }

            var cf = new ColumnFamilySafeHandle();
            cf.AddParent(_db);
            var ptr = NativeMethods.rocksdb_create_column_family(_db, native, name, out var err);
            cf.Attach(ptr);
            cf.AbandonIfInvalid();
            if (err != IntPtr.Zero)
            {
                cf.Dispose();
                NativeMethods.Check(err);
            }

            var family = new ColumnFamily(this, name, cf);
            _columnFamilies[name] = family;
            return family;
        }
    }

    /// <summary>
    /// Drops a column family and its data. The <see cref="ColumnFamily"/> object becomes unusable. Do not drop a
    /// column family that pending write batches still name: writing such a batch fails with InvalidArgument, but
    /// RocksDB 7.8 has by then already applied the batch's earlier updates to the memtables (observed), so the
    /// batch is no longer atomic.
    /// </summary>
    public void DropColumnFamily(ColumnFamily columnFamily)
    {
        CheckOwned(columnFamily);
        lock (_columnFamiliesLock)
        {
            NativeMethods.rocksdb_drop_column_family(_db, columnFamily.Handle, out var err);
            NativeMethods.Check(err);
            _columnFamilies.Remove(columnFamily.Name);
            columnFamily.Handle.Dispose();
        }
    }

    /// <summary>
    /// Closes the database: column family handles first, then the database itself. Objects still holding it open
    /// (snapshots, iterators, pinned values) delay the close until they are disposed.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        List<ColumnFamily> families;
        lock (_columnFamiliesLock)
        {
            families = [.. _columnFamilies.Values];
        }

        _defaultRead.Dispose();
        _defaultWrite.Dispose();
        foreach (var cf in families)
        {
            cf.Handle.Dispose();
        }

        _db.Dispose();
        _blockCache?.Dispose();
        _statistics?.Dispose();
    }

    /// <summary>Whether the database keeps statistics (<see cref="RocksDbOptions.EnableStatistics"/>).</summary>
    public bool HasStatistics => _statistics is not null;

    /// <summary>
    /// The value of one statistics ticker, by RocksDB's name (for example <c>rocksdb.block.cache.data.miss</c>,
    /// <c>rocksdb.non.last.level.read.bytes</c>): counts since the database opened.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database was opened without statistics.</exception>
    /// <exception cref="ArgumentException">RocksDB has no ticker of that name.</exception>
    public ulong GetTicker(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ThrowIfDisposed();
        if (_statistics is null)
        {
            throw new InvalidOperationException($"the database in {Path} was opened without statistics (RocksDbOptions.EnableStatistics)");
        }

        return ShimMethods.cairn_statistics_ticker(_statistics, name, out var value) == 1
            ? value
            : throw new ArgumentException($"RocksDB has no statistics ticker '{name}'", nameof(name));
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void CheckOwned(ColumnFamily columnFamily)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(columnFamily);
        if (!ReferenceEquals(columnFamily.Owner, this))
        {
            throw new ArgumentException($"Column family '{columnFamily.Name}' belongs to another database.", nameof(columnFamily));
        }
    }

    private static List<ColumnFamilyDescriptor> Normalize(IReadOnlyList<ColumnFamilyDescriptor> families)
    {
        ArgumentNullException.ThrowIfNull(families);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<ColumnFamilyDescriptor>(families.Count + 1);
        foreach (var d in families)
        {
            ArgumentNullException.ThrowIfNull(d);
            ArgumentException.ThrowIfNullOrEmpty(d.Name);
            if (!seen.Add(d.Name))
            {
                throw new ArgumentException($"Column family '{d.Name}' is listed twice.", nameof(families));
            }

            list.Add(d);
        }

        if (!seen.Contains(RocksDbOptions.DefaultColumnFamilyName))
        {
            list.Insert(0, new ColumnFamilyDescriptor(RocksDbOptions.DefaultColumnFamilyName));
        }

        return list;
    }
}
