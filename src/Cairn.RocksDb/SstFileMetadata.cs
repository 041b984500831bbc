namespace Cairn.RocksDb;

/// <summary>One SST file of a column family level.</summary>
/// <param name="RelativeFileName">File name relative to the database directory.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="SmallestKey">Smallest user key.</param>
/// <param name="LargestKey">Largest user key.</param>
public sealed record SstFileMetadata(string RelativeFileName, long Size, byte[] SmallestKey, byte[] LargestKey);
