namespace Cairn.RocksDb;

/// <summary>Options of a manual range compaction.</summary>
public sealed record CompactRangeOptions
{
    /// <summary>Block automatic compactions while this one runs.</summary>
    public bool ExclusiveManualCompaction { get; init; } = true;

    /// <summary>What to do with the bottommost level.</summary>
    public BottommostLevelCompaction BottommostLevelCompaction { get; init; } = BottommostLevelCompaction.IfHaveCompactionFilter;

    /// <summary>Move the compacted files to <see cref="TargetLevel"/>.</summary>
    public bool ChangeLevel { get; init; }

    /// <summary>Level to move files to when <see cref="ChangeLevel"/> is set; -1 means the lowest level that fits.</summary>
    public int TargetLevel { get; init; } = -1;
}
