namespace Cairn.RocksDb;

/// <summary>The shape of a column family's LSM tree.</summary>
/// <param name="Name">Column family name.</param>
/// <param name="Size">Total size of its SST files in bytes.</param>
/// <param name="FileCount">Number of SST files.</param>
/// <param name="Levels">Each level, L0 first.</param>
public sealed record ColumnFamilyMetadata(string Name, long Size, long FileCount, IReadOnlyList<LevelMetadata> Levels);
