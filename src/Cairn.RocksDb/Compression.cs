namespace Cairn.RocksDb;

/// <summary>Block compression algorithms; the values are RocksDB's <c>CompressionType</c> codes.</summary>
public enum Compression
{
    /// <summary>No compression.</summary>
    None = 0,
    /// <summary>Snappy.</summary>
    Snappy = 1,
    /// <summary>zlib (deflate).</summary>
    Zlib = 2,
    /// <summary>bzip2 (slow).</summary>
    Bz2 = 3,
    /// <summary>LZ4.</summary>
    Lz4 = 4,
    /// <summary>LZ4 high compression.</summary>
    Lz4hc = 5,
    /// <summary>Xpress (Windows only; not linked into Debian's build).</summary>
    Xpress = 6,
    /// <summary>Zstandard.</summary>
    Zstd = 7,
}
