namespace Cairn.RocksDb;

/// <summary>What a manual compaction does with the bottommost level (RocksDB's <c>BottommostLevelCompaction</c>).</summary>
public enum BottommostLevelCompaction
{
    /// <summary>Leave bottommost files alone.</summary>
    Skip = 0,
    /// <summary>Compact them only when a compaction filter is set (RocksDB's default).</summary>
    IfHaveCompactionFilter = 1,
    /// <summary>Always compact them.</summary>
    Force = 2,
    /// <summary>Compact them, but skip files produced by this same manual compaction.</summary>
    ForceOptimized = 3,
}
