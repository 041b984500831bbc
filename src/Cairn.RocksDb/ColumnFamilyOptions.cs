namespace Cairn.RocksDb;

/// <summary>
/// Per-column-family tuning. A null value leaves RocksDB's default in place. Every compression setting is checked
/// against <see cref="CompressionSupport"/> when the database opens.
/// </summary>
public sealed record ColumnFamilyOptions
{
    /// <summary>Compression for every level not covered by <see cref="CompressionPerLevel"/>.</summary>
    public Compression Compression { get; init; } = Compression.Lz4;

    /// <summary>Compression for each level, starting at L0; overrides <see cref="Compression"/> when set.</summary>
    public IReadOnlyList<Compression>? CompressionPerLevel { get; init; }

    /// <summary>Compression for the bottommost level; null uses the per-level setting.</summary>
    public Compression? BottommostCompression { get; init; }

    /// <summary>Compression level passed to the codec (for example 1–22 for zstd); null keeps the codec default.</summary>
    public int? CompressionLevel { get; init; }

    /// <summary>Uncompressed size of a data block, in bytes.</summary>
    public int? BlockSize { get; init; }

    /// <summary>Bits per key of the full bloom filter; 0 writes no filter.</summary>
    public double BloomFilterBitsPerKey { get; init; } = 10;

    /// <summary>Size of one memtable, in bytes.</summary>
    public long? WriteBufferSize { get; init; }

    /// <summary>Memtables kept before writes stall.</summary>
    public int? MaxWriteBufferNumber { get; init; }

    /// <summary>Target size of an SST file produced by compaction at L1.</summary>
    public long? TargetFileSizeBase { get; init; }

    /// <summary>Turns automatic compactions off (manual <c>CompactRange</c> still works); used during bulk ingestion.</summary>
    public bool DisableAutoCompactions { get; init; }

    /// <summary>Number of L0 files that triggers an L0 compaction.</summary>
    public int? Level0FileNumCompactionTrigger { get; init; }

    /// <summary>Number of L0 files at which writes are slowed down.</summary>
    public int? Level0SlowdownWritesTrigger { get; init; }

    /// <summary>Number of L0 files at which writes stop.</summary>
    public int? Level0StopWritesTrigger { get; init; }

    /// <summary>Number of LSM levels.</summary>
    public int? NumLevels { get; init; }

    /// <summary>
    /// Records the MVCC properties (<see cref="MvccTableProperties"/>) of every SST the column family builds, for
    /// <see cref="MvccTableFilter"/>; needs the shim (<c>scripts/setup.sh core</c>).
    /// </summary>
    public bool MvccPropertiesCollector { get; init; }

    /// <summary>Every compression algorithm these options name.</summary>
    internal IEnumerable<Compression> AllCompressions()
    {
        yield return Compression;
        if (BottommostCompression is { } bottom)
        {
            yield return bottom;
        }

        if (CompressionPerLevel is not null)
        {
            foreach (var c in CompressionPerLevel)
            {
                yield return c;
            }
        }
    }
}
