using Cairn.RocksDb.Native;

namespace Cairn.RocksDb;

/// <summary>
/// A table filter for iterators (RocksDB's <c>ReadOptions::table_filter</c>, set through <see cref="ReadOptions.MvccFilter"/>):
/// an iterator skips every SST whose <see cref="MvccTableProperties.MaxTs"/> is at or below <see cref="StartTs"/>,
/// so a scan for versions newer than the start ts reads only files that may hold one. A file without the property or
/// with range deletions is always read; memtables are always read. Only meaningful on a column family whose keys end
/// in an MVCC ts (the write CF). Thread-safe; one filter may serve several iterators and sums their counters.
/// Disposing it is safe while iterators still use it (they share its counters natively).
/// </summary>
public sealed unsafe class MvccTableFilter : IDisposable
{
    private readonly MvccFilterSafeHandle _handle;

    /// <summary>Creates a filter that skips files holding only versions at or before <paramref name="startTs"/>.</summary>
    public MvccTableFilter(ulong startTs)
    {
        Shim.EnsureUsable();
        StartTs = startTs;
        _handle = new MvccFilterSafeHandle();
        _handle.Attach(ShimMethods.cairn_mvcc_filter_create(startTs));
        if (_handle.IsInvalid)
        {
            throw new OutOfMemoryException("the RocksDB shim could not create an MVCC table filter");
        }
    }

    /// <summary>Files whose versions are all at or before this ts are skipped.</summary>
    public ulong StartTs { get; }

    /// <summary>What the filter decided so far.</summary>
    public MvccTableFilterCounters Counters
    {
        get
        {
            var c = stackalloc ulong[6];
            ShimMethods.cairn_mvcc_filter_counters(_handle, c);
            return new MvccTableFilterCounters(c[0], c[1], c[2], c[3], c[4]);
        }
    }

    internal void Apply(IntPtr readOptions)
    {
        if (ShimMethods.cairn_readoptions_set_mvcc_filter(readOptions, _handle) != 1)
        {
            throw new RocksDbException("the RocksDB shim could not set the MVCC table filter", RocksDbStatusKind.Unknown);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();
}
