using Cairn.Rpc.Backup;

namespace Cairn.Br.Backup;

/// <summary>Checks the meaning of <see cref="BackupOptions"/> (br-cli checks the flag syntax) and fills defaults, before anything runs.</summary>
internal static class BackupValidation
{
    /// <summary>BR's default range concurrency.</summary>
    public const int DefaultConcurrency = 4;

    /// <summary>BR's ceiling on range concurrency.</summary>
    public const int MaxConcurrency = 256;

    /// <summary>The options with defaults filled; throws <see cref="BrException"/> (<c>ErrInvalidArgument</c>) naming what is wrong.</summary>
    public static BackupOptions Validate(BackupOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PdAddresses is not { Count: > 0 } || options.PdAddresses.Any(string.IsNullOrWhiteSpace))
        {
            throw Invalid("no pd address given: pass -u/--pd host:port");
        }

        if (string.IsNullOrWhiteSpace(options.Storage))
        {
            throw Invalid("no storage given: pass -s/--storage with a URL such as local:///backups/b1 or s3://bucket/prefix");
        }

        if (options.TimeAgo < TimeSpan.Zero)
        {
            throw Invalid($"--timeago {options.TimeAgo} is negative: give how long ago the snapshot is, e.g. 5m");
        }

        if (options.Concurrency < 0)
        {
            throw Invalid($"--concurrency {options.Concurrency} is negative: give the number of ranges backed up at once (default {DefaultConcurrency})");
        }

        if (options.RateLimitBytesPerSecond < 0)
        {
            throw Invalid($"--ratelimit {options.RateLimitBytesPerSecond} bytes/s is negative: give a rate, or 0 for none");
        }

        if (options.GcTtl < TimeSpan.Zero)
        {
            throw Invalid($"--gcttl {options.GcTtl} is negative: give the service safepoint's TTL, e.g. 5m");
        }

        if (options.LastBackupTs > 0 && options.BackupTs > 0 && options.BackupTs <= options.LastBackupTs)
        {
            throw Invalid($"--backupts {options.BackupTs} is not after --lastbackupts {options.LastBackupTs}: an incremental backup covers (lastbackupts, backupts]");
        }

        if (options.IncrementalFrom is not null && options.Kind == BackupKind.Raw)
        {
            throw Invalid("--incremental-from does not apply to backup raw: raw backups are always full");
        }

        if (options.IncrementalFrom is not null && string.IsNullOrWhiteSpace(options.IncrementalFrom))
        {
            throw Invalid("--incremental-from is empty: give the storage URL of the previous backup, such as local:///backups/full");
        }

        switch (options.Kind)
        {
            case BackupKind.Raw:
                ValidateRaw(options.Raw);
                break;
            case BackupKind.Database when options.Filter is null && options.Databases is not { Count: > 0 }:
                throw Invalid("backup db names no database: pass --db");
            case BackupKind.Table when options.Filter is null && options.Tables is not { Count: > 0 }:
                throw Invalid("backup table names no table: pass --db and -t/--table");
        }

        return options with
        {
            // BR forces concurrency 1 under a rate limit because TiKV's limiter was per request, so parallel ranges
            // multiplied the limit; our stores share one limiter per store across all requests, so the user's
            // concurrency is kept.
            Concurrency = options.Concurrency == 0 ? DefaultConcurrency : Math.Min(options.Concurrency, MaxConcurrency),
            GcTtl = options.GcTtl == TimeSpan.Zero ? TimeSpan.FromSeconds(300) : options.GcTtl,
            Compression = options.Compression == CompressionType.Unknown ? CompressionType.Zstd : options.Compression,
            UseBackupMetaV2 = options.Kind != BackupKind.Raw && options.UseBackupMetaV2,
            Checksum = options.Checksum && options.Kind != BackupKind.Raw && options.LastBackupTs == 0 && options.IncrementalFrom is null,
        };
    }

    private static void ValidateRaw(RawBackupRange? raw)
    {
        if (raw is null)
        {
            throw Invalid("backup raw has no range: pass --start and --end");
        }

        if (raw.End.Length != 0 && raw.Start.AsSpan().SequenceCompareTo(raw.End) >= 0)
        {
            throw Invalid($"raw range start {Convert.ToHexString(raw.Start)} is not before end {Convert.ToHexString(raw.End)}: --end is exclusive and must be greater than --start");
        }

        if (raw.ColumnFamily is not ("default" or "write" or "lock"))
        {
            throw Invalid($"--cf {raw.ColumnFamily} is not a column family: use default, write or lock");
        }
    }

    private static BrException Invalid(string message) => new("ErrInvalidArgument", message);
}
