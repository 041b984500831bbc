namespace Cairn.RocksDb;

/// <summary>One LSM level of a column family.</summary>
/// <param name="Level">Level number.</param>
/// <param name="Size">Total size of its files in bytes.</param>
/// <param name="Files">Its files.</param>
public sealed record LevelMetadata(int Level, long Size, IReadOnlyList<SstFileMetadata> Files);
