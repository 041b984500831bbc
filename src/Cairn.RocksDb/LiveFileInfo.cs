namespace Cairn.RocksDb;

/// <summary>One live SST file of the database.</summary>
/// <param name="ColumnFamilyName">Column family holding the file.</param>
/// <param name="Name">File name relative to the database directory, for example <c>/000012.sst</c>.</param>
/// <param name="Level">LSM level.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="SmallestKey">Smallest user key.</param>
/// <param name="LargestKey">Largest user key.</param>
/// <param name="Entries">Number of entries.</param>
/// <param name="Deletions">Number of deletion entries.</param>
public sealed record LiveFileInfo(string ColumnFamilyName, string Name, int Level, long Size, byte[] SmallestKey, byte[] LargestKey,
    long Entries, long Deletions);
