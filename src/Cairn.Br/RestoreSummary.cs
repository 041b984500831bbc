namespace Cairn.Br;

/// <summary>What a restore did; returned on success and carried by <see cref="BrException.RestoreSummary"/> on failure.</summary>
public sealed record RestoreSummary
{
    /// <summary>The storage URL, credentials removed.</summary>
    public string Storage { get; init; } = "";

    /// <summary>The backup's snapshot (end version).</summary>
    public ulong BackupTs { get; init; }

    /// <summary>Databases created (existing ones are not counted).</summary>
    public int DatabasesCreated { get; init; }

    /// <summary>Tables and views the job selected from the backup.</summary>
    public int Tables { get; init; }

    /// <summary>Tables and views created by the job.</summary>
    public int TablesCreated { get; init; }

    /// <summary>Tables whose data was restored and (unless checksums were off) verified.</summary>
    public int TablesRestored { get; init; }

    /// <summary>Ranges split, scattered and imported.</summary>
    public long Ranges { get; init; }

    /// <summary>Backup files restored.</summary>
    public long Files { get; init; }

    /// <summary>Key-value pairs restored.</summary>
    public ulong TotalKvs { get; init; }

    /// <summary>Logical bytes restored (keys + values).</summary>
    public ulong TotalBytes { get; init; }

    /// <summary>Wall time of the whole job.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Wall time of creating databases and tables.</summary>
    public TimeSpan CreateDuration { get; init; }

    /// <summary>Wall time of the checksum phase.</summary>
    public TimeSpan ChecksumDuration { get; init; }

    /// <summary>Whether every selected table was restored and verified.</summary>
    public bool Succeeded { get; init; }

    /// <summary>The failure, one line, when <see cref="Succeeded"/> is false.</summary>
    public string? Error { get; init; }

    /// <summary>What was left undone on failure: the selected tables and views (<c>db.table</c> as targets) not restored.</summary>
    public IReadOnlyList<string> LeftUndone { get; init; } = [];

    /// <summary>Tables the job created that could not be dropped after a failure: they hold partial data and must not be used.</summary>
    public IReadOnlyList<string> TablesFailed { get; init; } = [];

    /// <summary>Tables the job created and dropped again after a failure.</summary>
    public IReadOnlyList<string> DroppedAfterFailure { get; init; } = [];

    /// <summary>Whether the job resumed the checkpoint of a run of the same restore that died.</summary>
    public bool Resumed { get; init; }

    /// <summary>File groups a resumed job did not ingest again because the run before had.</summary>
    public int SkippedFileGroups { get; init; }
}
