namespace Cairn.RocksDb;

/// <summary>
/// Names of the user-collected table properties that the MVCC collector (<see cref="ColumnFamilyOptions.MvccPropertiesCollector"/>,
/// <see cref="SstFileWriterOptions.MvccPropertiesCollector"/>) writes into every SST it builds. Keys are read as MVCC
/// keys: <c>z</c> + memcomparable key + 8 bytes big-endian of the bitwise NOT of the ts; values as write records, whose
/// first byte is the write type. Every value is a decimal string (readable with <c>sst_dump --show_properties</c>).
/// A key that is not an MVCC key sets <see cref="MinTs"/> to 0 and <see cref="MaxTs"/> to 2^64−1, so the file is
/// never skipped.
/// </summary>
public static class MvccTableProperties
{
    /// <summary>The smallest ts of any key of the file (0 when it has none).</summary>
    public const string MinTs = "cairn.mvcc.min_ts";

    /// <summary>The largest ts of any key of the file, tombstones included (0 when it has none).</summary>
    public const string MaxTs = "cairn.mvcc.max_ts";

    /// <summary>Distinct user keys (keys without their ts).</summary>
    public const string NumRows = "cairn.mvcc.num_rows";

    /// <summary>Write records (put entries) of every type.</summary>
    public const string NumVersions = "cairn.mvcc.num_versions";

    /// <summary>Write records of type Put.</summary>
    public const string NumPuts = "cairn.mvcc.num_puts";

    /// <summary>Write records of type Delete.</summary>
    public const string NumDeletes = "cairn.mvcc.num_deletes";

    /// <summary>Write records of type Lock.</summary>
    public const string NumLocks = "cairn.mvcc.num_locks";

    /// <summary>Write records of type Rollback.</summary>
    public const string NumRollbacks = "cairn.mvcc.num_rollbacks";

    /// <summary>Entries that are not MVCC keys or write records.</summary>
    public const string NumUnknown = "cairn.mvcc.num_unknown";
}
