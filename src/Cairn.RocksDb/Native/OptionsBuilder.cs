namespace Cairn.RocksDb.Native;

/// <summary>Turns the managed option records into native <c>rocksdb_options_t</c> objects.</summary>
internal static unsafe class OptionsBuilder
{
    internal static OptionsSafeHandle Create()
    {
        var options = new OptionsSafeHandle();
        options.Attach(NativeMethods.rocksdb_options_create());
        return options;
    }

    /// <summary>Builds the options passed as the database-wide argument of open (DB options plus default CF options).</summary>
    internal static OptionsSafeHandle ForDatabase(RocksDbOptions db, ColumnFamilyOptions defaultCf, CacheSafeHandle? cache)
    {
        var options = Create();
        try
        {
            NativeMethods.rocksdb_options_set_create_if_missing(options, db.CreateIfMissing ? (byte)1 : (byte)0);
            NativeMethods.rocksdb_options_set_create_missing_column_families(options, db.CreateMissingColumnFamilies ? (byte)1 : (byte)0);
            if (db.MaxBackgroundJobs is { } jobs)
            {
                NativeMethods.rocksdb_options_set_max_background_jobs(options, jobs);
            }

            if (db.MaxOpenFiles is { } files)
            {
                NativeMethods.rocksdb_options_set_max_open_files(options, files);
            }

            ApplyColumnFamily(options, defaultCf, cache);
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    internal static OptionsSafeHandle ForColumnFamily(ColumnFamilyOptions cf, CacheSafeHandle? cache)
    {
        var options = Create();
        try
        {
            ApplyColumnFamily(options, cf, cache);
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    internal static void ApplyColumnFamily(OptionsSafeHandle options, ColumnFamilyOptions cf, CacheSafeHandle? cache)
    {
        foreach (var c in cf.AllCompressions())
        {
            CompressionSupport.EnsureSupported(c);
        }

        NativeMethods.rocksdb_options_set_compression(options, (int)cf.Compression);
        if (cf.NumLevels is { } levels)
        {
            NativeMethods.rocksdb_options_set_num_levels(options, levels);
        }

        if (cf.CompressionPerLevel is { Count: > 0 } perLevel)
        {
            var codes = new int[perLevel.Count];
            for (var i = 0; i < codes.Length; i++)
            {
                codes[i] = (int)perLevel[i];
            }

            fixed (int* p = codes)
            {
                NativeMethods.rocksdb_options_set_compression_per_level(options, p, (nuint)codes.Length);
            }
        }

        if (cf.BottommostCompression is { } bottom)
        {
            NativeMethods.rocksdb_options_set_bottommost_compression(options, (int)bottom);
        }

        if (cf.CompressionLevel is { } level)
        {
            // window_bits -14 and strategy 0 are CompressionOptions' defaults; only the level changes.
            NativeMethods.rocksdb_options_set_compression_options(options, -14, level, 0, 0);
        }

        if (cf.WriteBufferSize is { } wb)
        {
            NativeMethods.rocksdb_options_set_write_buffer_size(options, checked((nuint)wb));
        }

        if (cf.MaxWriteBufferNumber is { } mwb)
        {
            NativeMethods.rocksdb_options_set_max_write_buffer_number(options, mwb);
        }

        if (cf.TargetFileSizeBase is { } tfs)
        {
            NativeMethods.rocksdb_options_set_target_file_size_base(options, checked((ulong)tfs));
        }

        NativeMethods.rocksdb_options_set_disable_auto_compactions(options, cf.DisableAutoCompactions ? 1 : 0);
        if (cf.Level0FileNumCompactionTrigger is { } l0c)
        {
            NativeMethods.rocksdb_options_set_level0_file_num_compaction_trigger(options, l0c);
        }

        if (cf.Level0SlowdownWritesTrigger is { } l0s)
        {
            NativeMethods.rocksdb_options_set_level0_slowdown_writes_trigger(options, l0s);
        }

        if (cf.Level0StopWritesTrigger is { } l0t)
        {
            NativeMethods.rocksdb_options_set_level0_stop_writes_trigger(options, l0t);
        }

        ApplyTable(options, cf.BlockSize, cf.BloomFilterBitsPerKey, cache);
        if (cf.MvccPropertiesCollector)
        {
            AddMvccCollector(options);
        }
    }

    /// <summary>Adds the shim's MVCC table-properties collector to column family or SST writer options.</summary>
    internal static void AddMvccCollector(OptionsSafeHandle options)
    {
        Shim.EnsureUsable();
        if (ShimMethods.cairn_options_add_mvcc_collector(options) != 1)
        {
            throw new RocksDbException("the RocksDB shim could not add the MVCC properties collector", RocksDbStatusKind.Unknown);
        }
    }

    /// <summary>Turns DB statistics on in database options; the returned handle reads them once the database is open.</summary>
    internal static StatisticsSafeHandle EnableStatistics(OptionsSafeHandle options)
    {
        Shim.EnsureUsable();
        var statistics = new StatisticsSafeHandle();
        statistics.Attach(ShimMethods.cairn_options_enable_statistics(options));
        if (statistics.IsInvalid)
        {
            throw new RocksDbException("the RocksDB shim could not turn statistics on", RocksDbStatusKind.Unknown);
        }

        return statistics;
    }

    /// <summary>Sets a block-based table factory; the factory copies the table options, so they are freed here.</summary>
    internal static void ApplyTable(OptionsSafeHandle options, int? blockSize, double bloomBitsPerKey, CacheSafeHandle? cache)
    {
        using var table = new BlockBasedOptionsSafeHandle();
        table.Attach(NativeMethods.rocksdb_block_based_options_create());
        if (blockSize is { } bs)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bs, nameof(blockSize));
            NativeMethods.rocksdb_block_based_options_set_block_size(table, (nuint)bs);
        }

        if (bloomBitsPerKey > 0)
        {
            // The table options take ownership of the policy.
            NativeMethods.rocksdb_block_based_options_set_filter_policy(table, NativeMethods.rocksdb_filterpolicy_create_bloom_full(bloomBitsPerKey));
        }

        if (cache is not null)
        {
            NativeMethods.rocksdb_block_based_options_set_block_cache(table, cache);
        }

        NativeMethods.rocksdb_options_set_block_based_table_factory(options, table);
    }
}
