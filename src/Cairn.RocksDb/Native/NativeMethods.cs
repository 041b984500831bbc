using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cairn.RocksDb.Native;

/// <summary>
/// Entry points of librocksdb's C API (rocksdb/c.h, 7.8). Creation functions return raw pointers that the caller
/// wraps in a SafeHandle straight away; operations take SafeHandles so the runtime holds a reference for the
/// duration of the call. The few iterator calls on the scan hot path take raw pointers and skip the GC
/// transition: they only read fields of an already positioned iterator and return within nanoseconds.
/// </summary>
internal static unsafe partial class NativeMethods
{
    internal const string Library = "rocksdb";

    // ---- memory -------------------------------------------------------------------------------------------

    [LibraryImport(Library)]
    internal static partial void rocksdb_free(IntPtr ptr);

    // ---- options ------------------------------------------------------------------------------------------

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_options_create();

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_destroy(IntPtr options);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_create_if_missing(OptionsSafeHandle options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_create_missing_column_families(OptionsSafeHandle options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_max_background_jobs(OptionsSafeHandle options, int value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_max_open_files(OptionsSafeHandle options, int value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_compression(OptionsSafeHandle options, int value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_bottommost_compression(OptionsSafeHandle options, int value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_compression_per_level(OptionsSafeHandle options, int* levelValues, nuint numLevels);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_compression_options(OptionsSafeHandle options, int windowBits, int level, int strategy, int maxDictBytes);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_num_levels(OptionsSafeHandle options, int value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_write_buffer_size(OptionsSafeHandle options, nuint value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_max_write_buffer_number(OptionsSafeHandle options, int value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_target_file_size_base(OptionsSafeHandle options, ulong value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_disable_auto_compactions(OptionsSafeHandle options, int value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_level0_file_num_compaction_trigger(OptionsSafeHandle options, int value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_level0_slowdown_writes_trigger(OptionsSafeHandle options, int value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_level0_stop_writes_trigger(OptionsSafeHandle options, int value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_block_based_table_factory(OptionsSafeHandle options, BlockBasedOptionsSafeHandle tableOptions);

    // ---- block-based table, cache, filter -----------------------------------------------------------------

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_block_based_options_create();

    [LibraryImport(Library)]
    internal static partial void rocksdb_block_based_options_destroy(IntPtr options);

    [LibraryImport(Library)]
    internal static partial void rocksdb_block_based_options_set_block_size(BlockBasedOptionsSafeHandle options, nuint blockSize);

    [LibraryImport(Library)]
    internal static partial void rocksdb_block_based_options_set_block_cache(BlockBasedOptionsSafeHandle options, CacheSafeHandle cache);

    /// <summary>Takes ownership of <paramref name="filterPolicy"/> (c.cc stores it in a shared_ptr).</summary>
    [LibraryImport(Library)]
    internal static partial void rocksdb_block_based_options_set_filter_policy(BlockBasedOptionsSafeHandle options, IntPtr filterPolicy);

    [LibraryImport(Library)]
    internal static partial void rocksdb_block_based_options_set_whole_key_filtering(BlockBasedOptionsSafeHandle options, byte value);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_filterpolicy_create_bloom_full(double bitsPerKey);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_cache_create_lru(nuint capacity);

    [LibraryImport(Library)]
    internal static partial void rocksdb_cache_destroy(IntPtr cache);

    // ---- open / close / column families -------------------------------------------------------------------

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr rocksdb_open(OptionsSafeHandle options, string name, out IntPtr err);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr rocksdb_open_column_families(OptionsSafeHandle options, string name, int count,
        string[] columnFamilyNames, IntPtr* columnFamilyOptions, IntPtr* columnFamilyHandles, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_close(IntPtr db);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr rocksdb_list_column_families(OptionsSafeHandle options, string name, out nuint count, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_list_column_families_destroy(IntPtr list, nuint count);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr rocksdb_create_column_family(DbSafeHandle db, OptionsSafeHandle options, string name, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_drop_column_family(DbSafeHandle db, ColumnFamilySafeHandle handle, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_column_family_handle_destroy(IntPtr handle);

    [LibraryImport(Library)]
    internal static partial uint rocksdb_column_family_handle_get_id(ColumnFamilySafeHandle handle);

    // ---- writes -------------------------------------------------------------------------------------------

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_writeoptions_create();

    [LibraryImport(Library)]
    internal static partial void rocksdb_writeoptions_destroy(IntPtr options);

    [LibraryImport(Library)]
    internal static partial void rocksdb_writeoptions_set_sync(WriteOptionsSafeHandle options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_writeoptions_disable_WAL(WriteOptionsSafeHandle options, int disable);

    [LibraryImport(Library)]
    internal static partial void rocksdb_writeoptions_set_no_slowdown(WriteOptionsSafeHandle options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_put_cf(DbSafeHandle db, WriteOptionsSafeHandle options, ColumnFamilySafeHandle cf,
        ReadOnlySpan<byte> key, nuint keyLength, ReadOnlySpan<byte> value, nuint valueLength, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_delete_cf(DbSafeHandle db, WriteOptionsSafeHandle options, ColumnFamilySafeHandle cf,
        ReadOnlySpan<byte> key, nuint keyLength, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_singledelete_cf(DbSafeHandle db, WriteOptionsSafeHandle options, ColumnFamilySafeHandle cf,
        ReadOnlySpan<byte> key, nuint keyLength, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_delete_range_cf(DbSafeHandle db, WriteOptionsSafeHandle options, ColumnFamilySafeHandle cf,
        ReadOnlySpan<byte> startKey, nuint startKeyLength, ReadOnlySpan<byte> endKey, nuint endKeyLength, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_write(DbSafeHandle db, WriteOptionsSafeHandle options, WriteBatchSafeHandle batch, out IntPtr err);

    // ---- write batch --------------------------------------------------------------------------------------

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_writebatch_create();

    [LibraryImport(Library)]
    internal static partial void rocksdb_writebatch_destroy(IntPtr batch);

    [LibraryImport(Library)]
    internal static partial void rocksdb_writebatch_clear(WriteBatchSafeHandle batch);

    [LibraryImport(Library)]
    internal static partial int rocksdb_writebatch_count(WriteBatchSafeHandle batch);

    [LibraryImport(Library)]
    internal static partial void rocksdb_writebatch_put_cf(WriteBatchSafeHandle batch, ColumnFamilySafeHandle cf,
        ReadOnlySpan<byte> key, nuint keyLength, ReadOnlySpan<byte> value, nuint valueLength);

    [LibraryImport(Library)]
    internal static partial void rocksdb_writebatch_delete_cf(WriteBatchSafeHandle batch, ColumnFamilySafeHandle cf,
        ReadOnlySpan<byte> key, nuint keyLength);

    [LibraryImport(Library)]
    internal static partial void rocksdb_writebatch_singledelete_cf(WriteBatchSafeHandle batch, ColumnFamilySafeHandle cf,
        ReadOnlySpan<byte> key, nuint keyLength);

    [LibraryImport(Library)]
    internal static partial void rocksdb_writebatch_delete_range_cf(WriteBatchSafeHandle batch, ColumnFamilySafeHandle cf,
        ReadOnlySpan<byte> startKey, nuint startKeyLength, ReadOnlySpan<byte> endKey, nuint endKeyLength);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_writebatch_data(WriteBatchSafeHandle batch, out nuint size);

    // ---- reads --------------------------------------------------------------------------------------------

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_readoptions_create();

    [LibraryImport(Library)]
    internal static partial void rocksdb_readoptions_destroy(IntPtr options);

    [LibraryImport(Library)]
    internal static partial void rocksdb_readoptions_set_snapshot(IntPtr options, IntPtr snapshot);

    [LibraryImport(Library)]
    internal static partial void rocksdb_readoptions_set_iterate_upper_bound(IntPtr options, byte* key, nuint keyLength);

    [LibraryImport(Library)]
    internal static partial void rocksdb_readoptions_set_iterate_lower_bound(IntPtr options, byte* key, nuint keyLength);

    [LibraryImport(Library)]
    internal static partial void rocksdb_readoptions_set_fill_cache(IntPtr options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_readoptions_set_verify_checksums(IntPtr options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_readoptions_set_total_order_seek(IntPtr options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_readoptions_set_prefix_same_as_start(IntPtr options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_readoptions_set_readahead_size(IntPtr options, nuint value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_readoptions_set_pin_data(IntPtr options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_readoptions_set_ignore_range_deletions(IntPtr options, byte value);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_get_pinned_cf(DbSafeHandle db, ReadOptionsSafeHandle options, ColumnFamilySafeHandle cf,
        ReadOnlySpan<byte> key, nuint keyLength, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_pinnableslice_destroy(IntPtr slice);

    [LibraryImport(Library)]
    internal static partial byte* rocksdb_pinnableslice_value(IntPtr slice, out nuint length);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_create_snapshot(DbSafeHandle db);

    [LibraryImport(Library)]
    internal static partial void rocksdb_release_snapshot(IntPtr db, IntPtr snapshot);

    [LibraryImport(Library)]
    internal static partial ulong rocksdb_get_latest_sequence_number(DbSafeHandle db);

    // ---- iterators ----------------------------------------------------------------------------------------

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_create_iterator_cf(DbSafeHandle db, IntPtr options, ColumnFamilySafeHandle cf);

    [LibraryImport(Library)]
    internal static partial void rocksdb_iter_destroy(IntPtr iterator);

    [LibraryImport(Library), SuppressGCTransition]
    internal static partial byte rocksdb_iter_valid(IntPtr iterator);

    [LibraryImport(Library), SuppressGCTransition]
    internal static partial byte* rocksdb_iter_key(IntPtr iterator, nuint* length);

    [LibraryImport(Library), SuppressGCTransition]
    internal static partial byte* rocksdb_iter_value(IntPtr iterator, nuint* length);

    // Moving the iterator may read and decompress a block from disk, so these keep the GC transition.
    [LibraryImport(Library)]
    internal static partial void rocksdb_iter_next(IntPtr iterator);

    [LibraryImport(Library)]
    internal static partial void rocksdb_iter_prev(IntPtr iterator);

    [LibraryImport(Library)]
    internal static partial void rocksdb_iter_seek_to_first(IntPtr iterator);

    [LibraryImport(Library)]
    internal static partial void rocksdb_iter_seek_to_last(IntPtr iterator);

    [LibraryImport(Library)]
    internal static partial void rocksdb_iter_seek(IntPtr iterator, byte* key, nuint keyLength);

    [LibraryImport(Library)]
    internal static partial void rocksdb_iter_seek_for_prev(IntPtr iterator, byte* key, nuint keyLength);

    [LibraryImport(Library)]
    internal static partial void rocksdb_iter_get_error(IntPtr iterator, out IntPtr err);

    // ---- flush, compaction, options at run time, properties -----------------------------------------------

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_flushoptions_create();

    [LibraryImport(Library)]
    internal static partial void rocksdb_flushoptions_destroy(IntPtr options);

    [LibraryImport(Library)]
    internal static partial void rocksdb_flushoptions_set_wait(FlushOptionsSafeHandle options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_flush_cf(DbSafeHandle db, FlushOptionsSafeHandle options, ColumnFamilySafeHandle cf, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_flush_wal(DbSafeHandle db, byte sync, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_compactoptions_create();

    [LibraryImport(Library)]
    internal static partial void rocksdb_compactoptions_destroy(IntPtr options);

    [LibraryImport(Library)]
    internal static partial void rocksdb_compactoptions_set_exclusive_manual_compaction(CompactOptionsSafeHandle options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_compactoptions_set_bottommost_level_compaction(CompactOptionsSafeHandle options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_compactoptions_set_change_level(CompactOptionsSafeHandle options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_compactoptions_set_target_level(CompactOptionsSafeHandle options, int value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_compact_range_cf_opt(DbSafeHandle db, ColumnFamilySafeHandle cf, CompactOptionsSafeHandle options,
        byte* startKey, nuint startKeyLength, byte* limitKey, nuint limitKeyLength);

    [LibraryImport(Library)]
    internal static partial void rocksdb_set_options_cf(DbSafeHandle db, ColumnFamilySafeHandle cf, int count, IntPtr* keys, IntPtr* values, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_approximate_sizes_cf(DbSafeHandle db, ColumnFamilySafeHandle cf, int count,
        IntPtr* startKeys, nuint* startKeyLengths, IntPtr* limitKeys, nuint* limitKeyLengths, ulong* sizes, out IntPtr err);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr rocksdb_property_value_cf(DbSafeHandle db, ColumnFamilySafeHandle cf, string name);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rocksdb_property_int_cf(DbSafeHandle db, ColumnFamilySafeHandle cf, string name, out ulong value);

    // ---- checkpoints, live files, metadata ----------------------------------------------------------------

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_checkpoint_object_create(DbSafeHandle db, out IntPtr err);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void rocksdb_checkpoint_create(CheckpointSafeHandle checkpoint, string directory, ulong logSizeForFlush, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_checkpoint_object_destroy(IntPtr checkpoint);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_livefiles(DbSafeHandle db);

    [LibraryImport(Library)]
    internal static partial void rocksdb_livefiles_destroy(IntPtr files);

    [LibraryImport(Library)]
    internal static partial int rocksdb_livefiles_count(LiveFilesSafeHandle files);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_livefiles_column_family_name(LiveFilesSafeHandle files, int index);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_livefiles_name(LiveFilesSafeHandle files, int index);

    [LibraryImport(Library)]
    internal static partial int rocksdb_livefiles_level(LiveFilesSafeHandle files, int index);

    [LibraryImport(Library)]
    internal static partial nuint rocksdb_livefiles_size(LiveFilesSafeHandle files, int index);

    [LibraryImport(Library)]
    internal static partial byte* rocksdb_livefiles_smallestkey(LiveFilesSafeHandle files, int index, out nuint length);

    [LibraryImport(Library)]
    internal static partial byte* rocksdb_livefiles_largestkey(LiveFilesSafeHandle files, int index, out nuint length);

    [LibraryImport(Library)]
    internal static partial ulong rocksdb_livefiles_entries(LiveFilesSafeHandle files, int index);

    [LibraryImport(Library)]
    internal static partial ulong rocksdb_livefiles_deletions(LiveFilesSafeHandle files, int index);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_get_column_family_metadata_cf(DbSafeHandle db, ColumnFamilySafeHandle cf);

    [LibraryImport(Library)]
    internal static partial void rocksdb_column_family_metadata_destroy(IntPtr metadata);

    [LibraryImport(Library)]
    internal static partial ulong rocksdb_column_family_metadata_get_size(ColumnFamilyMetadataSafeHandle metadata);

    [LibraryImport(Library)]
    internal static partial nuint rocksdb_column_family_metadata_get_file_count(ColumnFamilyMetadataSafeHandle metadata);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_column_family_metadata_get_name(ColumnFamilyMetadataSafeHandle metadata);

    [LibraryImport(Library)]
    internal static partial nuint rocksdb_column_family_metadata_get_level_count(ColumnFamilyMetadataSafeHandle metadata);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_column_family_metadata_get_level_metadata(ColumnFamilyMetadataSafeHandle metadata, nuint index);

    [LibraryImport(Library)]
    internal static partial void rocksdb_level_metadata_destroy(IntPtr level);

    [LibraryImport(Library)]
    internal static partial int rocksdb_level_metadata_get_level(IntPtr level);

    [LibraryImport(Library)]
    internal static partial ulong rocksdb_level_metadata_get_size(IntPtr level);

    [LibraryImport(Library)]
    internal static partial nuint rocksdb_level_metadata_get_file_count(IntPtr level);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_level_metadata_get_sst_file_metadata(IntPtr level, nuint index);

    [LibraryImport(Library)]
    internal static partial void rocksdb_sst_file_metadata_destroy(IntPtr file);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_sst_file_metadata_get_relative_filename(IntPtr file);

    [LibraryImport(Library)]
    internal static partial ulong rocksdb_sst_file_metadata_get_size(IntPtr file);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_sst_file_metadata_get_smallestkey(IntPtr file, out nuint length);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_sst_file_metadata_get_largestkey(IntPtr file, out nuint length);

    // ---- SST files ----------------------------------------------------------------------------------------

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_envoptions_create();

    [LibraryImport(Library)]
    internal static partial void rocksdb_envoptions_destroy(IntPtr options);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_sstfilewriter_create(EnvOptionsSafeHandle env, OptionsSafeHandle options);

    [LibraryImport(Library)]
    internal static partial void rocksdb_sstfilewriter_destroy(IntPtr writer);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void rocksdb_sstfilewriter_open(SstFileWriterSafeHandle writer, string path, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_sstfilewriter_put(SstFileWriterSafeHandle writer,
        ReadOnlySpan<byte> key, nuint keyLength, ReadOnlySpan<byte> value, nuint valueLength, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_sstfilewriter_delete(SstFileWriterSafeHandle writer, ReadOnlySpan<byte> key, nuint keyLength, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_sstfilewriter_delete_range(SstFileWriterSafeHandle writer,
        ReadOnlySpan<byte> beginKey, nuint beginKeyLength, ReadOnlySpan<byte> endKey, nuint endKeyLength, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_sstfilewriter_finish(SstFileWriterSafeHandle writer, out IntPtr err);

    [LibraryImport(Library)]
    internal static partial void rocksdb_sstfilewriter_file_size(SstFileWriterSafeHandle writer, out ulong size);

    [LibraryImport(Library)]
    internal static partial IntPtr rocksdb_ingestexternalfileoptions_create();

    [LibraryImport(Library)]
    internal static partial void rocksdb_ingestexternalfileoptions_destroy(IntPtr options);

    [LibraryImport(Library)]
    internal static partial void rocksdb_ingestexternalfileoptions_set_move_files(IntPtr options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_ingestexternalfileoptions_set_snapshot_consistency(IntPtr options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_ingestexternalfileoptions_set_allow_global_seqno(IntPtr options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_ingestexternalfileoptions_set_allow_blocking_flush(IntPtr options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_ingestexternalfileoptions_set_ingest_behind(IntPtr options, byte value);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void rocksdb_ingest_external_file_cf(DbSafeHandle db, ColumnFamilySafeHandle cf, string[] files, nuint count,
        IngestOptionsSafeHandle options, out IntPtr err);

    /// <summary>Frees a RocksDB error string and turns it into an exception; does nothing when there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Check(IntPtr err)
    {
        if (err != IntPtr.Zero)
        {
            RocksDbException.ThrowFromNative(err);
        }
    }

    /// <summary>Copies a malloc'ed C string owned by RocksDB and frees it.</summary>
    internal static string? TakeString(IntPtr ptr)
    {
        if (ptr == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(ptr);
        }
        finally
        {
            rocksdb_free(ptr);
        }
    }

    /// <summary>Copies a malloc'ed byte buffer owned by RocksDB and frees it.</summary>
    internal static byte[] TakeBytes(IntPtr ptr, nuint length)
    {
        if (ptr == IntPtr.Zero)
        {
            return [];
        }

        try
        {
            return new ReadOnlySpan<byte>((void*)ptr, checked((int)length)).ToArray();
        }
        finally
        {
            rocksdb_free(ptr);
        }
    }
}
