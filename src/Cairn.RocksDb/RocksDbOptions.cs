namespace Cairn.RocksDb;

/// <summary>How to open a database. A null value leaves RocksDB's default in place.</summary>
public sealed record RocksDbOptions
{
    /// <summary>Name of the column family every RocksDB database has.</summary>
    public const string DefaultColumnFamilyName = "default";

    /// <summary>Creates the database when the directory holds none.</summary>
    public bool CreateIfMissing { get; init; } = true;

    /// <summary>Creates column families listed in <see cref="ColumnFamilies"/> that the database lacks.</summary>
    public bool CreateMissingColumnFamilies { get; init; } = true;

    /// <summary>
    /// Column families to open. RocksDB refuses to open a database without naming all of its column families;
    /// <c>default</c> is added with default options when missing from the list.
    /// </summary>
    public IReadOnlyList<ColumnFamilyDescriptor> ColumnFamilies { get; init; } = [new(DefaultColumnFamilyName)];

    /// <summary>Capacity of one LRU block cache shared by every column family, in bytes; null keeps a cache per table factory.</summary>
    public long? BlockCacheSize { get; init; }

    /// <summary>Background threads for flushes and compactions together.</summary>
    public int? MaxBackgroundJobs { get; init; }

    /// <summary>Files kept open; -1 keeps all open.</summary>
    public int? MaxOpenFiles { get; init; }

    /// <summary>
    /// Keeps RocksDB's statistics (tickers such as <c>rocksdb.block.cache.data.miss</c>, read with
    /// <see cref="RocksDatabase.GetTicker"/>), without the detailed timers; needs the shim (<c>scripts/setup.sh core</c>).
    /// </summary>
    public bool EnableStatistics { get; init; }

    /// <summary>Options with the named column families, each with <paramref name="options"/> (or defaults).</summary>
    public static RocksDbOptions WithColumnFamilies(IEnumerable<string> names, ColumnFamilyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        return new RocksDbOptions { ColumnFamilies = [.. names.Select(n => new ColumnFamilyDescriptor(n, options))] };
    }
}
