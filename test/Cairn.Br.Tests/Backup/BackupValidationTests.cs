using Cairn.Br.Backup;
using Cairn.Rpc.Backup;

namespace Cairn.Br.Tests.Backup;

public sealed class BackupValidationTests
{
    private static BackupOptions Options => new() { PdAddresses = ["127.0.0.1:1"], Storage = "local:///tmp/unused" };

    [Fact]
    public void Concurrency_zero_becomes_four_and_above_256_becomes_256_even_with_a_rate_limit()
    {
        Assert.Equal(4, BackupValidation.Validate(Options with { Concurrency = 0 }).Concurrency);
        Assert.Equal(256, BackupValidation.Validate(Options with { Concurrency = 1000 }).Concurrency);
        Assert.Equal(8, BackupValidation.Validate(Options with { Concurrency = 8, RateLimitBytesPerSecond = 1 << 20 }).Concurrency);
    }

    [Fact]
    public void Defaults_fill_gc_ttl_and_compression()
    {
        var valid = BackupValidation.Validate(Options with { GcTtl = TimeSpan.Zero, Compression = CompressionType.Unknown });
        Assert.Equal(TimeSpan.FromSeconds(300), valid.GcTtl);
        Assert.Equal(CompressionType.Zstd, valid.Compression);
    }

    [Fact]
    public void Raw_backups_are_always_v1_and_never_checksummed()
    {
        var valid = BackupValidation.Validate(Options with { Kind = BackupKind.Raw, Raw = new RawBackupRange([1], [2]), UseBackupMetaV2 = true });
        Assert.False(valid.UseBackupMetaV2);
        Assert.False(valid.Checksum);
    }

    [Theory]
    [InlineData("raw start ≥ end")]
    [InlineData("raw start = end")]
    [InlineData("negative timeago")]
    [InlineData("negative concurrency")]
    [InlineData("negative rate limit")]
    [InlineData("no pd")]
    [InlineData("no storage")]
    [InlineData("raw without range")]
    [InlineData("db without names")]
    [InlineData("table without names")]
    [InlineData("backupts not after lastbackupts")]
    [InlineData("unknown cf")]
    public void Meaningless_options_are_refused_with_one_line(string what)
    {
        var options = what switch
        {
            "raw start ≥ end" => Options with { Kind = BackupKind.Raw, Raw = new RawBackupRange([5], [4]) },
            "raw start = end" => Options with { Kind = BackupKind.Raw, Raw = new RawBackupRange([5], [5]) },
            "negative timeago" => Options with { TimeAgo = TimeSpan.FromSeconds(-1) },
            "negative concurrency" => Options with { Concurrency = -1 },
            "negative rate limit" => Options with { RateLimitBytesPerSecond = -5 },
            "no pd" => Options with { PdAddresses = [] },
            "no storage" => Options with { Storage = " " },
            "raw without range" => Options with { Kind = BackupKind.Raw },
            "db without names" => Options with { Kind = BackupKind.Database },
            "table without names" => Options with { Kind = BackupKind.Table },
            "backupts not after lastbackupts" => Options with { BackupTs = 100, LastBackupTs = 100 },
            "unknown cf" => Options with { Kind = BackupKind.Raw, Raw = new RawBackupRange([1], [2], "nope") },
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        var error = Assert.Throws<BrException>(() => BackupValidation.Validate(options));
        Assert.Equal("ErrInvalidArgument", error.Code);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void An_unbounded_raw_end_is_accepted()
    {
        Assert.Equal(BackupKind.Raw, BackupValidation.Validate(Options with { Kind = BackupKind.Raw, Raw = new RawBackupRange([9], []) }).Kind);
    }
}
