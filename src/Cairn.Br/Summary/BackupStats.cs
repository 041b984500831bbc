using System.Diagnostics;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Summary;

/// <summary>What a running job has done, for its summary on success and on failure. Safe for concurrent use.</summary>
internal sealed class BackupStats
{
    private readonly Lock _gate = new();
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly List<BackupFile> _files = [];
    private long _kvs;
    private long _bytes;
    private long _size;
    private int _rangesSucceeded;

    /// <summary>The storage URL without credentials.</summary>
    public string Storage { get; set; } = "";

    /// <summary>The snapshot.</summary>
    public ulong BackupTs { get; set; }

    /// <summary>Start of an incremental backup.</summary>
    public ulong LastBackupTs { get; set; }

    /// <summary>Tables in the plan.</summary>
    public int Tables { get; set; }

    /// <summary>Ranges in the plan.</summary>
    public int Ranges { get; set; }

    /// <summary>Regions the plan covered when it started.</summary>
    public long Regions { get; set; }

    /// <summary>Bytes of the meta files written.</summary>
    public long MetaSize { get; set; }

    /// <summary>Whether the job resumed a dead run's checkpoint.</summary>
    public bool Resumed { get; set; }

    /// <summary>Pieces of a dead run reused by a resumed job.</summary>
    public int ReusedPieces { get; set; }

    /// <summary>Time spent on checksums.</summary>
    public TimeSpan ChecksumDuration { get; set; }

    /// <summary>Wall time so far.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>Ranges completed so far.</summary>
    public int RangesSucceeded => Volatile.Read(ref _rangesSucceeded);

    /// <summary>Files of every completed range so far.</summary>
    public IReadOnlyList<BackupFile> Files
    {
        get
        {
            lock (_gate)
            {
                return [.. _files];
            }
        }
    }

    /// <summary>Counts a completed range and its files.</summary>
    public void AddRange(IReadOnlyList<BackupFile> files)
    {
        lock (_gate)
        {
            _files.AddRange(files);
            foreach (var file in files)
            {
                _kvs += (long)file.TotalKvs;
                _bytes += (long)file.TotalBytes;
                _size += (long)file.Size;
            }

            _rangesSucceeded++;
        }
    }

    /// <summary>The summary as of now.</summary>
    public BackupSummary ToSummary(bool succeeded, string? error)
    {
        lock (_gate)
        {
            return new BackupSummary
            {
                Storage = Storage,
                BackupTs = BackupTs,
                LastBackupTs = LastBackupTs,
                Tables = Tables,
                Ranges = Ranges,
                RangesSucceeded = _rangesSucceeded,
                Regions = Regions,
                Files = _files.Count,
                TotalKvs = _kvs,
                TotalBytes = _bytes,
                BackupSize = _size + MetaSize,
                Duration = Elapsed,
                ChecksumDuration = ChecksumDuration,
                Succeeded = succeeded,
                Error = error,
                Resumed = Resumed,
                ReusedPieces = ReusedPieces,
            };
        }
    }
}
