using System.Runtime.InteropServices;
using Cairn.RocksDb.Native;

namespace Cairn.RocksDb;

public sealed partial class RocksDatabase
{
    // Offsets in rocksdb::IngestExternalFileOptions (7.8) of fields the C API has no setter for. The layout is
    // checked at run time against the setters that do exist before anything is written (see IngestLayoutMatches).
    private const int IngestWriteGlobalSeqnoOffset = 6;
    private static readonly Lazy<bool> IngestLayout = new(IngestLayoutMatches);

    /// <summary>The sequence number of the most recent write.</summary>
    public ulong LatestSequenceNumber
    {
        get
        {
            ThrowIfDisposed();
            return NativeMethods.rocksdb_get_latest_sequence_number(_db);
        }
    }

    /// <summary>Flushes the memtables of <paramref name="columnFamily"/> to SST files.</summary>
    /// <param name="columnFamily">The column family.</param>
    /// <param name="wait">Wait for the flush to finish.</param>
    public void Flush(ColumnFamily columnFamily, bool wait = true)
    {
        CheckOwned(columnFamily);
        using var options = new FlushOptionsSafeHandle();
        options.Attach(NativeMethods.rocksdb_flushoptions_create());
        NativeMethods.rocksdb_flushoptions_set_wait(options, wait ? (byte)1 : (byte)0);
        NativeMethods.rocksdb_flush_cf(_db, options, columnFamily.Handle, out var err);
        NativeMethods.Check(err);
    }

    /// <summary>Writes the WAL buffer to the file system, and fsyncs it when <paramref name="sync"/> is set.</summary>
    public void FlushWal(bool sync = true)
    {
        ThrowIfDisposed();
        NativeMethods.rocksdb_flush_wal(_db, sync ? (byte)1 : (byte)0, out var err);
        NativeMethods.Check(err);
    }

    /// <summary>
    /// Compacts the keys in <c>[start, end)</c> of <paramref name="columnFamily"/>; an empty bound means
    /// unbounded on that side. Blocks until the compaction is done.
    /// </summary>
    public unsafe void CompactRange(ColumnFamily columnFamily, ReadOnlySpan<byte> start = default, ReadOnlySpan<byte> end = default,
        CompactRangeOptions? options = null)
    {
        CheckOwned(columnFamily);
        options ??= new CompactRangeOptions();
        using var native = new CompactOptionsSafeHandle();
        native.Attach(NativeMethods.rocksdb_compactoptions_create());
        NativeMethods.rocksdb_compactoptions_set_exclusive_manual_compaction(native, options.ExclusiveManualCompaction ? (byte)1 : (byte)0);
        NativeMethods.rocksdb_compactoptions_set_bottommost_level_compaction(native, (byte)options.BottommostLevelCompaction);
        NativeMethods.rocksdb_compactoptions_set_change_level(native, options.ChangeLevel ? (byte)1 : (byte)0);
        NativeMethods.rocksdb_compactoptions_set_target_level(native, options.TargetLevel);
        fixed (byte* s = start)
        fixed (byte* e = end)
        {
            // A null pointer is how the C API says "no bound"; a pinned empty span may not be null.
            NativeMethods.rocksdb_compact_range_cf_opt(_db, columnFamily.Handle, native,
                start.IsEmpty ? null : s, (nuint)start.Length, end.IsEmpty ? null : e, (nuint)end.Length);
        }
    }

    /// <summary>
    /// Changes mutable column family options at run time, with RocksDB's option names and string values, for
    /// example <c>disable_auto_compactions=true</c> or <c>level0_slowdown_writes_trigger=40</c>.
    /// </summary>
    public unsafe void SetOptions(ColumnFamily columnFamily, IEnumerable<KeyValuePair<string, string>> options)
    {
        CheckOwned(columnFamily);
        ArgumentNullException.ThrowIfNull(options);
        var pairs = options.ToArray();
        if (pairs.Length == 0)
        {
            return;
        }

        var keys = new IntPtr[pairs.Length];
        var values = new IntPtr[pairs.Length];
        try
        {
            for (var i = 0; i < pairs.Length; i++)
            {
                keys[i] = Marshal.StringToCoTaskMemUTF8(pairs[i].Key);
                values[i] = Marshal.StringToCoTaskMemUTF8(pairs[i].Value);
            }

            IntPtr err;
            fixed (IntPtr* k = keys)
            fixed (IntPtr* v = values)
            {
                NativeMethods.rocksdb_set_options_cf(_db, columnFamily.Handle, pairs.Length, k, v, out err);
            }

            NativeMethods.Check(err);
        }
        finally
        {
            foreach (var p in keys)
            {
                Marshal.FreeCoTaskMem(p);
            }

            foreach (var p in values)
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }

    /// <summary>
    /// The options the database runs with now, as RocksDB last persisted them in its newest <c>OPTIONS-*</c> file
    /// (it writes one at open and after every successful <see cref="SetOptions"/>). The C API cannot read options
    /// back, and its <c>rocksdb_set_options</c> changes the default column family, not the database-wide options.
    /// </summary>
    public PersistedOptions ReadPersistedOptions()
    {
        ThrowIfDisposed();
        return PersistedOptions.ReadLatest(Path);
    }

    /// <summary>
    /// Estimates the on-disk size of each range, in bytes. Only SST files count (the C API does not include
    /// memtables), so recent writes show up after a flush.
    /// </summary>
    public unsafe ulong[] GetApproximateSizes(ColumnFamily columnFamily, IReadOnlyList<KeyRange> ranges)
    {
        CheckOwned(columnFamily);
        ArgumentNullException.ThrowIfNull(ranges);
        var n = ranges.Count;
        var sizes = new ulong[n];
        if (n == 0)
        {
            return sizes;
        }

        var pins = new System.Buffers.MemoryHandle[2 * n];
        var starts = new IntPtr[n];
        var limits = new IntPtr[n];
        var startLengths = new nuint[n];
        var limitLengths = new nuint[n];
        try
        {
            for (var i = 0; i < n; i++)
            {
                pins[2 * i] = ranges[i].Start.Pin();
                pins[(2 * i) + 1] = ranges[i].End.Pin();
                starts[i] = (IntPtr)pins[2 * i].Pointer;
                limits[i] = (IntPtr)pins[(2 * i) + 1].Pointer;
                startLengths[i] = (nuint)ranges[i].Start.Length;
                limitLengths[i] = (nuint)ranges[i].End.Length;
            }

            IntPtr err;
            fixed (IntPtr* s = starts)
            fixed (IntPtr* l = limits)
            fixed (nuint* sl = startLengths)
            fixed (nuint* ll = limitLengths)
            fixed (ulong* result = sizes)
            {
                NativeMethods.rocksdb_approximate_sizes_cf(_db, columnFamily.Handle, n, s, sl, l, ll, result, out err);
            }

            NativeMethods.Check(err);
            return sizes;
        }
        finally
        {
            foreach (var pin in pins)
            {
                pin.Dispose();
            }
        }
    }

    /// <summary>Returns a string property such as <c>rocksdb.stats</c> or <c>rocksdb.levelstats</c>; null if unknown.</summary>
    public string? GetProperty(ColumnFamily columnFamily, string name)
    {
        CheckOwned(columnFamily);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return NativeMethods.TakeString(NativeMethods.rocksdb_property_value_cf(_db, columnFamily.Handle, name));
    }

    /// <summary>
    /// Returns an integer property such as <c>rocksdb.estimate-num-keys</c>, <c>rocksdb.total-sst-files-size</c> or
    /// <c>rocksdb.num-snapshots</c>; null if unknown or not a number. Properties RocksDB only offers as strings
    /// (for example <c>rocksdb.num-files-at-level0</c>) are parsed.
    /// </summary>
    public ulong? GetIntProperty(ColumnFamily columnFamily, string name)
    {
        CheckOwned(columnFamily);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (NativeMethods.rocksdb_property_int_cf(_db, columnFamily.Handle, name, out var value) == 0)
        {
            return value;
        }

        var text = GetProperty(columnFamily, name);
        return ulong.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : null;
    }

    /// <summary>
    /// Creates a checkpoint in <paramref name="directory"/> (which must not exist): an openable copy of the
    /// database made of hard links to the SST files where possible.
    /// </summary>
    /// <param name="directory">Target directory.</param>
    /// <param name="logSizeForFlush">Flush the memtables first unless the WAL is smaller than this many bytes
    /// (0 always flushes).</param>
    public void CreateCheckpoint(string directory, ulong logSizeForFlush = 0)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrEmpty(directory);
        using var checkpoint = new CheckpointSafeHandle();
        checkpoint.AddParent(_db);
        var ptr = NativeMethods.rocksdb_checkpoint_object_create(_db, out var err);
        checkpoint.Attach(ptr);
        checkpoint.AbandonIfInvalid();
        NativeMethods.Check(err);
        NativeMethods.rocksdb_checkpoint_create(checkpoint, directory, logSizeForFlush, out err);
        NativeMethods.Check(err);
    }

    /// <summary>Lists the live SST files of every column family.</summary>
    public unsafe IReadOnlyList<LiveFileInfo> GetLiveFiles()
    {
        ThrowIfDisposed();
        using var files = new LiveFilesSafeHandle();
        files.Attach(NativeMethods.rocksdb_livefiles(_db));
        var count = NativeMethods.rocksdb_livefiles_count(files);
        var result = new LiveFileInfo[count];
        for (var i = 0; i < count; i++)
        {
            var smallest = NativeMethods.rocksdb_livefiles_smallestkey(files, i, out var smallestLength);
            var largest = NativeMethods.rocksdb_livefiles_largestkey(files, i, out var largestLength);
            result[i] = new LiveFileInfo(
                Marshal.PtrToStringUTF8(NativeMethods.rocksdb_livefiles_column_family_name(files, i)) ?? string.Empty,
                Marshal.PtrToStringUTF8(NativeMethods.rocksdb_livefiles_name(files, i)) ?? string.Empty,
                NativeMethods.rocksdb_livefiles_level(files, i),
                (long)NativeMethods.rocksdb_livefiles_size(files, i),
                new ReadOnlySpan<byte>(smallest, checked((int)smallestLength)).ToArray(),
                new ReadOnlySpan<byte>(largest, checked((int)largestLength)).ToArray(),
                (long)NativeMethods.rocksdb_livefiles_entries(files, i),
                (long)NativeMethods.rocksdb_livefiles_deletions(files, i));
        }

        return result;
    }

    /// <summary>Describes the LSM tree of <paramref name="columnFamily"/>: levels and their SST files.</summary>
    public ColumnFamilyMetadata GetColumnFamilyMetadata(ColumnFamily columnFamily)
    {
        CheckOwned(columnFamily);
        using var meta = new ColumnFamilyMetadataSafeHandle();
        meta.Attach(NativeMethods.rocksdb_get_column_family_metadata_cf(_db, columnFamily.Handle));
        var levelCount = (int)NativeMethods.rocksdb_column_family_metadata_get_level_count(meta);
        var levels = new LevelMetadata[levelCount];
        for (var i = 0; i < levelCount; i++)
        {
            // Level and file metadata are freed before their parent, as c.h requires.
            var level = NativeMethods.rocksdb_column_family_metadata_get_level_metadata(meta, (nuint)i);
            try
            {
                var fileCount = (int)NativeMethods.rocksdb_level_metadata_get_file_count(level);
                var files = new SstFileMetadata[fileCount];
                for (var j = 0; j < fileCount; j++)
                {
                    var file = NativeMethods.rocksdb_level_metadata_get_sst_file_metadata(level, (nuint)j);
                    try
                    {
                        var name = NativeMethods.TakeString(NativeMethods.rocksdb_sst_file_metadata_get_relative_filename(file)) ?? string.Empty;
                        var smallest = NativeMethods.rocksdb_sst_file_metadata_get_smallestkey(file, out var sl);
                        var smallestKey = NativeMethods.TakeBytes(smallest, sl);
                        var largest = NativeMethods.rocksdb_sst_file_metadata_get_largestkey(file, out var ll);
                        var largestKey = NativeMethods.TakeBytes(largest, ll);
                        files[j] = new SstFileMetadata(name, (long)NativeMethods.rocksdb_sst_file_metadata_get_size(file), smallestKey, largestKey);
                    }
                    finally
                    {
                        NativeMethods.rocksdb_sst_file_metadata_destroy(file);
                    }
                }

                levels[i] = new LevelMetadata(NativeMethods.rocksdb_level_metadata_get_level(level),
                    (long)NativeMethods.rocksdb_level_metadata_get_size(level), files);
            }
            finally
            {
                NativeMethods.rocksdb_level_metadata_destroy(level);
            }
        }

        return new ColumnFamilyMetadata(
            NativeMethods.TakeString(NativeMethods.rocksdb_column_family_metadata_get_name(meta)) ?? columnFamily.Name,
            (long)NativeMethods.rocksdb_column_family_metadata_get_size(meta),
            (long)NativeMethods.rocksdb_column_family_metadata_get_file_count(meta),
            levels);
    }

    /// <summary>
    /// Ingests SST files (written by <see cref="SstFileWriter"/>) into <paramref name="columnFamily"/> atomically.
    /// With <see cref="IngestOptions.MoveFiles"/> the files are hard-linked and the source paths removed.
    /// RocksDB does not check that the files were written with the column family's comparator; this binding only
    /// ever uses the bytewise comparator, for databases and SST files alike.
    /// </summary>
    public void IngestExternalFiles(ColumnFamily columnFamily, IReadOnlyList<string> files, IngestOptions? options = null)
    {
        CheckOwned(columnFamily);
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0)
        {
            throw new ArgumentException("At least one file is needed.", nameof(files));
        }

        options ??= new IngestOptions();
        if (options.FailIfSnapshotsOpen && GetIntProperty(columnFamily, "rocksdb.num-snapshots") is > 0 and var open)
        {
            throw new RocksDbException(
                $"Busy: {open} snapshot(s) are open; ingesting now would force a full rewrite of the files later.", RocksDbStatusKind.Busy);
        }

        using var native = CreateIngestOptions(options);
        NativeMethods.rocksdb_ingest_external_file_cf(_db, columnFamily.Handle, [.. files], (nuint)files.Count, native, out var err);
        NativeMethods.Check(err);
    }

    /// <summary>Ingests one SST file; see <see cref="IngestExternalFiles"/>.</summary>
    public void IngestExternalFile(ColumnFamily columnFamily, string file, IngestOptions? options = null) =>
        IngestExternalFiles(columnFamily, [file], options);

    private static unsafe IngestOptionsSafeHandle CreateIngestOptions(IngestOptions options)
    {
        var handle = new IngestOptionsSafeHandle();
        var ptr = NativeMethods.rocksdb_ingestexternalfileoptions_create();
        handle.Attach(ptr);
        NativeMethods.rocksdb_ingestexternalfileoptions_set_move_files(ptr, options.MoveFiles ? (byte)1 : (byte)0);
        NativeMethods.rocksdb_ingestexternalfileoptions_set_snapshot_consistency(ptr, options.SnapshotConsistency ? (byte)1 : (byte)0);
        NativeMethods.rocksdb_ingestexternalfileoptions_set_allow_global_seqno(ptr, options.AllowGlobalSeqno ? (byte)1 : (byte)0);
        NativeMethods.rocksdb_ingestexternalfileoptions_set_allow_blocking_flush(ptr, options.AllowBlockingFlush ? (byte)1 : (byte)0);
        NativeMethods.rocksdb_ingestexternalfileoptions_set_ingest_behind(ptr, options.IngestBehind ? (byte)1 : (byte)0);
        if (!options.WriteGlobalSeqno)
        {
            if (!IngestLayout.Value)
            {
                handle.Dispose();
                throw new NotSupportedException(
                    "write_global_seqno cannot be turned off: the C API has no setter and the loaded librocksdb's option layout is not the expected 7.8 one.");
            }

            ((byte*)ptr)[IngestWriteGlobalSeqnoOffset] = 0;
        }

        return handle;
    }

    /// <summary>
    /// Checks that the first bytes of <c>IngestExternalFileOptions</c> are the 7.8 layout (move_files,
    /// failed_move_fall_back_to_copy, snapshot_consistency, allow_global_seqno, allow_blocking_flush, ingest_behind,
    /// write_global_seqno, verify_checksums_before_ingest): the defaults must read 0,1,1,1,1,0,1,0 and every setter
    /// must flip exactly the byte expected.
    /// </summary>
    private static unsafe bool IngestLayoutMatches()
    {
        var ptr = NativeMethods.rocksdb_ingestexternalfileoptions_create();
        try
        {
            var bytes = (byte*)ptr;
            ReadOnlySpan<byte> defaults = [0, 1, 1, 1, 1, 0, 1, 0];
            if (!new ReadOnlySpan<byte>(bytes, 8).SequenceEqual(defaults))
            {
                return false;
            }

            NativeMethods.rocksdb_ingestexternalfileoptions_set_move_files(ptr, 1);
            NativeMethods.rocksdb_ingestexternalfileoptions_set_snapshot_consistency(ptr, 0);
            NativeMethods.rocksdb_ingestexternalfileoptions_set_allow_global_seqno(ptr, 0);
            NativeMethods.rocksdb_ingestexternalfileoptions_set_allow_blocking_flush(ptr, 0);
            NativeMethods.rocksdb_ingestexternalfileoptions_set_ingest_behind(ptr, 1);
            ReadOnlySpan<byte> flipped = [1, 1, 0, 0, 0, 1, 1, 0];
            return new ReadOnlySpan<byte>(bytes, 8).SequenceEqual(flipped);
        }
        finally
        {
            NativeMethods.rocksdb_ingestexternalfileoptions_destroy(ptr);
        }
    }
}
