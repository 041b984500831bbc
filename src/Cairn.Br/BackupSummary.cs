namespace Cairn.Br;

/// <summary>What a backup did; returned on success and carried by <see cref="BrException.Summary"/> on failure.</summary>
public sealed record BackupSummary
{
    /// <summary>The storage URL, credentials removed.</summary>
    public string Storage { get; init; } = "";

    /// <summary>The snapshot timestamp.</summary>
    public ulong BackupTs { get; init; }

    /// <summary>Start of an incremental backup (0 for full).</summary>
    public ulong LastBackupTs { get; init; }

    /// <summary>Tables backed up.</summary>
    public int Tables { get; init; }

    /// <summary>Key ranges in the backup plan.</summary>
    public int Ranges { get; init; }

    /// <summary>Ranges completely backed up.</summary>
    public int RangesSucceeded { get; init; }

    /// <summary>Regions the plan covered when it started.</summary>
    public long Regions { get; init; }

    /// <summary>SST files written.</summary>
    public long Files { get; init; }

    /// <summary>Key-value pairs backed up.</summary>
    public long TotalKvs { get; init; }

    /// <summary>Logical bytes backed up (keys + values).</summary>
    public long TotalBytes { get; init; }

    /// <summary>Bytes stored: every SST and meta file after compression.</summary>
    public long BackupSize { get; init; }

    /// <summary>Wall time of the whole job.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Wall time of the checksum phase.</summary>
    public TimeSpan ChecksumDuration { get; init; }

    /// <summary>Whether the job finished and wrote backupmeta.</summary>
    public bool Succeeded { get; init; }

    /// <summary>The failure, one line, when <see cref="Succeeded"/> is false.</summary>
    public string? Error { get; init; }

    /// <summary>Whether the job resumed the checkpoint of a run that died on the same storage.</summary>
    public bool Resumed { get; init; }

    /// <summary>Backed-up pieces (ranges with their files) a resumed job took from the checkpoint instead of backing up again.</summary>
    public int ReusedPieces { get; init; }
}
