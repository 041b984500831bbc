namespace Cairn.RocksDb;

/// <summary>
/// How an SST file is written. The comparator is always RocksDB's bytewise comparator, the only one this binding
/// opens databases with: RocksDB does not check the comparator on ingest, so a mismatch would go unnoticed.
/// </summary>
public sealed record SstFileWriterOptions
{
    /// <summary>Block compression; checked with <see cref="CompressionSupport"/> because the writer itself would
    /// silently store raw blocks for a codec that is not linked in.</summary>
    public Compression Compression { get; init; } = Compression.Lz4;

    /// <summary>Codec level (for example 1–22 for zstd); null keeps the codec default.</summary>
    public int? CompressionLevel { get; init; }

    /// <summary>Uncompressed data block size in bytes; null keeps RocksDB's 4 KiB.</summary>
    public int? BlockSize { get; init; }

    /// <summary>Bits per key of the full bloom filter; 0 writes no filter.</summary>
    public double BloomFilterBitsPerKey { get; init; } = 10;

    /// <summary>
    /// Records the MVCC properties (<see cref="MvccTableProperties"/>) in the file, as the write CF does for its own
    /// files, so an ingested file can be skipped by <see cref="MvccTableFilter"/> too; needs the shim.
    /// </summary>
    public bool MvccPropertiesCollector { get; init; }
}
