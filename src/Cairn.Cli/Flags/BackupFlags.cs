using System.CommandLine;
using System.Globalization;
using Cairn.Hosting;
using Cairn.Rpc.Backup;

namespace Cairn.Cli.Flags;

/// <summary>BR's flags of <c>br backup</c> (br-spec §a, "Backup flags"), shared by its subcommands.</summary>
internal sealed class BackupFlags
{
    /// <summary>BR's <c>--gcttl</c> default, seconds.</summary>
    public const int DefaultGcTtlSeconds = 300;

    public Option<string?> BackupTs { get; } = new("--backupts")
    {
        Description = "snapshot to back up: a TSO, or a date-time in the local time zone ('2024-05-01 08:00:00'); default now",
        Recursive = true,
    };

    public Option<string?> TimeAgo { get; } = new("--timeago")
    {
        Description = "back up the snapshot this long ago (a duration: 30s, 5m, 1h)",
        Recursive = true,
    };

    public Option<string?> LastBackupTs { get; } = new("--lastbackupts")
    {
        Description = "incremental backup: back up what changed after this TSO or date-time (0: full backup)",
        Recursive = true,
    };

    public Option<string?> IncrementalFrom { get; } = new("--incremental-from")
    {
        Description = "incremental backup after the backup at this storage URL (read with the same storage flags): its end version is --lastbackupts",
        Recursive = true,
    };

    public Option<string?> GcTtl { get; } = new("--gcttl")
    {
        Description = "TTL of the GC safepoint that protects the snapshot, seconds or a duration (default 300)",
        Recursive = true,
    };

    public Option<string> Compression { get; } = new("--compression")
    {
        Description = "SST compression the stores use: lz4, snappy or zstd",
        DefaultValueFactory = _ => "zstd",
        Recursive = true,
    };

    public Option<string?> CompressionLevel { get; } = new("--compression-level")
    {
        Description = "compression level passed to the stores (0: the algorithm's default)",
        Recursive = true,
    };

    public Option<bool> UseBackupMetaV2 { get; } = new("--use-backupmeta-v2")
    {
        Description = "write the multi-file backupmeta (v2) even when the meta is small",
        Recursive = true,
    };

    public void AddTo(Command backup)
    {
        backup.Options.Add(BackupTs);
        backup.Options.Add(TimeAgo);
        backup.Options.Add(LastBackupTs);
        backup.Options.Add(IncrementalFrom);
        backup.Options.Add(GcTtl);
        backup.Options.Add(Compression);
        backup.Options.Add(CompressionLevel);
        backup.Options.Add(UseBackupMetaV2);
    }

    public ulong Snapshot(ParseResult parse) => TimeArgs.Timestamp(parse.GetValue(BackupTs), "--backupts");

    public TimeSpan Ago(ParseResult parse) =>
        parse.GetValue(TimeAgo) is { } text ? TimeArgs.Duration(text, "--timeago") : TimeSpan.Zero;

    public ulong Since(ParseResult parse) => TimeArgs.Timestamp(parse.GetValue(LastBackupTs), "--lastbackupts");

    public string? Previous(ParseResult parse)
    {
        var text = parse.GetValue(IncrementalFrom);
        if (text is null)
        {
            return null;
        }

        return string.IsNullOrWhiteSpace(text)
            ? throw new CliUsageException("--incremental-from is empty: give the storage URL of the previous backup, such as local:///backups/full")
            : text.Trim();
    }

    public TimeSpan Ttl(ParseResult parse) =>
        parse.GetValue(GcTtl) is { } text
            ? TimeArgs.Duration(text, "--gcttl", bareSeconds: true, minimum: TimeSpan.FromSeconds(1))
            : TimeSpan.FromSeconds(DefaultGcTtlSeconds);

    public CompressionType Algorithm(ParseResult parse)
    {
        var text = parse.GetValue(Compression) ?? "zstd";
        return text.Trim().ToLowerInvariant() switch
        {
            "lz4" => CompressionType.Lz4,
            "snappy" => CompressionType.Snappy,
            "zstd" => CompressionType.Zstd,
            _ => throw new CliUsageException($"--compression: '{text}' is not one of lz4, snappy, zstd"),
        };
    }

    public int Level(ParseResult parse)
    {
        var text = parse.GetValue(CompressionLevel);
        if (string.IsNullOrWhiteSpace(text))
        {
            return 0;
        }

        return int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var level)
            ? level
            : throw new CliUsageException($"--compression-level: '{text}' is not an integer");
    }
}
