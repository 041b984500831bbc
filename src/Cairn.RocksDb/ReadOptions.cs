using Cairn.RocksDb.Native;

namespace Cairn.RocksDb;

/// <summary>
/// Settings for reads and iterators. Immutable once built. Point reads reuse one native object created on first
/// use (dispose the options to free it); each iterator builds its own native read options and its own native copy
/// of the bounds, owned by the iterator, so these options may be disposed or collected while iterators still run.
/// </summary>
public sealed class ReadOptions : IDisposable
{
    private ReadOptionsSafeHandle? _pointRead;

    /// <summary>
    /// Read as of this snapshot; null reads the latest data. Once these options have served a point read they hold
    /// the snapshot until they are disposed.
    /// </summary>
    public Snapshot? Snapshot { get; init; }

    /// <summary>Inclusive lower bound for iterators; null or empty means unbounded.</summary>
    public ReadOnlyMemory<byte>? LowerBound { get; init; }

    /// <summary>Exclusive upper bound for iterators; null or empty means unbounded (as an empty region end key).</summary>
    public ReadOnlyMemory<byte>? UpperBound { get; init; }

    /// <summary>Whether blocks read are added to the block cache; turn off for one-off scans such as backups.</summary>
    public bool FillCache { get; init; } = true;

    /// <summary>Whether block checksums are verified on read.</summary>
    public bool VerifyChecksums { get; init; } = true;

    /// <summary>Ignore any prefix extractor and seek in total order.</summary>
    public bool TotalOrderSeek { get; init; }

    /// <summary>Stop iteration when the prefix changes (only with a prefix extractor; off by default).</summary>
    public bool PrefixSameAsStart { get; init; }

    /// <summary>Keep the blocks of every key the iterator passed pinned until the iterator is disposed.</summary>
    public bool PinData { get; init; }

    /// <summary>Readahead for iterators, in bytes; 0 lets RocksDB adapt.</summary>
    public long ReadaheadSize { get; init; }

    /// <summary>
    /// Skips SST files by their MVCC properties (see <see cref="MvccTableFilter"/>); null reads every file. The filter
    /// must not be disposed before iterators are created from these options.
    /// </summary>
    public MvccTableFilter? MvccFilter { get; init; }

    /// <summary>Returns the native point-read options, creating them on first use.</summary>
    internal ReadOptionsSafeHandle GetPointReadHandle()
    {
        var existing = Volatile.Read(ref _pointRead);
        if (existing is not null)
        {
            return existing;
        }

        var created = new ReadOptionsSafeHandle();
        if (Snapshot is not null)
        {
            // The native options point at the snapshot, so it must not be released before them.
            created.AddParent(Snapshot.Handle);
        }

        var ptr = NativeMethods.rocksdb_readoptions_create();
        created.Attach(ptr);
        Apply(ptr);
        var winner = Interlocked.CompareExchange(ref _pointRead, created, null);
        if (winner is not null)
        {
            created.Dispose();
            return winner;
        }

        return created;
    }

    /// <summary>Applies every setting except the bounds to a native read options object.</summary>
    internal void Apply(IntPtr readOptions)
    {
        if (Snapshot is not null)
        {
            NativeMethods.rocksdb_readoptions_set_snapshot(readOptions, Snapshot.Handle.DangerousGetHandle());
        }

        NativeMethods.rocksdb_readoptions_set_fill_cache(readOptions, FillCache ? (byte)1 : (byte)0);
        NativeMethods.rocksdb_readoptions_set_verify_checksums(readOptions, VerifyChecksums ? (byte)1 : (byte)0);
        NativeMethods.rocksdb_readoptions_set_total_order_seek(readOptions, TotalOrderSeek ? (byte)1 : (byte)0);
        NativeMethods.rocksdb_readoptions_set_prefix_same_as_start(readOptions, PrefixSameAsStart ? (byte)1 : (byte)0);
        NativeMethods.rocksdb_readoptions_set_pin_data(readOptions, PinData ? (byte)1 : (byte)0);
        if (ReadaheadSize > 0)
        {
            NativeMethods.rocksdb_readoptions_set_readahead_size(readOptions, (nuint)ReadaheadSize);
        }

        MvccFilter?.Apply(readOptions);
    }

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _pointRead, null)?.Dispose();
}
