namespace Cairn.RocksDb;

/// <summary>What a finished SST file holds.</summary>
/// <param name="Path">The file path.</param>
/// <param name="FileSize">Size on disk in bytes.</param>
/// <param name="Puts">Number of put entries.</param>
/// <param name="Deletes">Number of point delete entries.</param>
/// <param name="RangeDeletes">Number of range deletions.</param>
/// <param name="SmallestKey">Smallest key written, including range deletion starts.</param>
/// <param name="LargestKey">Largest key written, including range deletion (exclusive) ends.</param>
/// <param name="RawKeyBytes">Total bytes of the point keys written.</param>
/// <param name="RawValueBytes">Total bytes of the values written.</param>
public sealed record SstFileInfo(string Path, long FileSize, long Puts, long Deletes, long RangeDeletes, byte[] SmallestKey,
    byte[] LargestKey, long RawKeyBytes, long RawValueBytes)
{
    /// <summary>All entries: puts, deletes and range deletions.</summary>
    public long Entries => Puts + Deletes + RangeDeletes;
}
