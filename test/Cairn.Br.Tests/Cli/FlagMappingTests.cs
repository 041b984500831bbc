using Cairn.Cli.Commands;
using Cairn.Common;
using Cairn.Hosting;
using Cairn.Rpc.Backup;

namespace Cairn.Br.Tests.Cli;

/// <summary>What br's flags become in <see cref="BackupOptions"/>: the command tree parsed in-process, the job not run.</summary>
public sealed class FlagMappingTests
{
    [Fact]
    public async Task Without_flags_a_full_backup_gets_brs_defaults()
    {
        var options = await ParseAsync("backup", "full", "-s", "/tmp/b");

        Assert.Equal(["127.0.0.1:2379"], options.PdAddresses);
        Assert.Equal("/tmp/b", options.Storage);
        Assert.Equal(BackupKind.Full, options.Kind);
        Assert.Null(options.Filter);
        Assert.Equal(0UL, options.BackupTs);
        Assert.Equal(TimeSpan.Zero, options.TimeAgo);
        Assert.Equal(TimeSpan.FromSeconds(300), options.GcTtl);
        Assert.Equal(0, options.RateLimitBytesPerSecond);
        Assert.Equal(4, options.Concurrency);
        Assert.Equal(CompressionType.Zstd, options.Compression);
        Assert.True(options.Checksum);
        Assert.True(options.CheckRequirements);
        Assert.True(options.SendCredentialsToStores);
        Assert.False(options.UseBackupMetaV2);
        Assert.True(options.StorageOptions.CheckPath);
    }

    [Fact]
    public async Task Every_flag_given_reaches_the_options()
    {
        var options = await ParseAsync(
            "backup", "full", "-u", "http://10.0.0.1:2379,10.0.0.2:2379", "-s", "s3://bucket/p", "--s3.endpoint", "http://127.0.0.1:7480",
            "--s3.region", "eu-1", "--skip-check-path", "-c=false", "--ratelimit", "8", "--concurrency", "16", "--checksum=false",
            "--check-requirements", "false", "--backupts", "449412515532472321", "--timeago", "5m", "--lastbackupts", "449412515532470000",
            "--gcttl", "10m", "--compression", "lz4", "--compression-level", "3", "--use-backupmeta-v2", "-L", "debug");

        Assert.Equal(["10.0.0.1:2379", "10.0.0.2:2379"], options.PdAddresses);
        Assert.Equal("http://127.0.0.1:7480", options.StorageOptions.Settings["s3.endpoint"]);
        Assert.Equal("eu-1", options.StorageOptions.Settings["s3.region"]);
        Assert.False(options.StorageOptions.CheckPath);
        Assert.False(options.SendCredentialsToStores);
        Assert.Equal(8L << 20, options.RateLimitBytesPerSecond);
        Assert.Equal(16, options.Concurrency);
        Assert.False(options.Checksum);
        Assert.False(options.CheckRequirements);
        Assert.Equal(449412515532472321UL, options.BackupTs);
        Assert.Equal(TimeSpan.FromMinutes(5), options.TimeAgo);
        Assert.Equal(449412515532470000UL, options.LastBackupTs);
        Assert.Equal(TimeSpan.FromMinutes(10), options.GcTtl);
        Assert.Equal(CompressionType.Lz4, options.Compression);
        Assert.Equal(3, options.CompressionLevel);
        Assert.True(options.UseBackupMetaV2);
    }

    [Fact]
    public async Task A_backupts_date_time_is_read_in_the_local_zone()
    {
        var options = await ParseAsync("backup", "full", "-s", "/tmp/b", "--backupts", "2024-05-01 08:00:00");

        var local = new DateTime(2024, 5, 1, 8, 0, 0, DateTimeKind.Unspecified);
        var expected = new DateTimeOffset(local, TimeZoneInfo.Local.GetUtcOffset(local));
        Assert.Equal(expected, Tso.ToDateTimeOffset(options.BackupTs));
    }

    [Fact]
    public async Task A_raw_backup_reads_its_range_in_the_format_given()
    {
        var hex = await ParseAsync("backup", "raw", "-s", "/tmp/b", "--start", "61", "--end", "7a", "--cf", "write");
        Assert.Equal(BackupKind.Raw, hex.Kind);
        Assert.Equal("a"u8.ToArray(), hex.Raw!.Start);
        Assert.Equal("z"u8.ToArray(), hex.Raw.End);
        Assert.Equal("write", hex.Raw.ColumnFamily);

        var escaped = await ParseAsync("backup", "raw", "-s", "/tmp/b", "--format", "escaped", "--start", "k\\x00", "--end", "");
        Assert.Equal(new byte[] { (byte)'k', 0 }, escaped.Raw!.Start);
        Assert.Empty(escaped.Raw.End);
        Assert.Equal("default", escaped.Raw.ColumnFamily);
    }

    [Fact]
    public async Task Filter_rules_repeat_and_the_last_matching_rule_wins_case_insensitively_unless_asked()
    {
        var options = await ParseAsync("backup", "full", "-s", "/tmp/b", "-f", "shop.*", "-f", "!shop.log_*", "-f", "crm.Users");
        Assert.True(options.Filter!.MatchTable("SHOP", "orders"));
        Assert.False(options.Filter.MatchTable("shop", "log_2024"));
        Assert.True(options.Filter.MatchTable("crm", "users"));
        Assert.False(options.Filter.MatchTable("crm", "orders"));

        var exact = await ParseAsync("backup", "full", "-s", "/tmp/b", "-f", "crm.Users", "--case-sensitive");
        Assert.True(exact.Filter!.MatchTable("crm", "Users"));
        Assert.False(exact.Filter.MatchTable("crm", "users"));
    }

    [Fact]
    public async Task Db_and_table_backups_name_exact_databases_and_tables_in_brs_forms()
    {
        var db = await ParseAsync("backup", "db", "-s", "/tmp/b", "--db", "shop", "--db", "crm");
        Assert.Equal(BackupKind.Database, db.Kind);
        Assert.True(db.Filter!.MatchTable("shop", "t"));
        Assert.True(db.Filter.MatchTable("crm", "t"));
        Assert.False(db.Filter.MatchTable("shop2", "t"));
        Assert.Equal(["shop", "crm"], db.Databases);

        var plain = await ParseAsync("backup", "table", "-s", "/tmp/b", "--db", "shop", "-t", "orders", "-t", "a.b");
        Assert.Equal(BackupKind.Table, plain.Kind);
        Assert.True(plain.Filter!.MatchTable("shop", "orders"));
        Assert.True(plain.Filter.MatchTable("shop", "a.b"));
        Assert.False(plain.Filter.MatchTable("shop", "items"));
        Assert.Equal([("shop", "orders"), ("shop", "a.b")], plain.Tables);

        var qualified = await ParseAsync("backup", "table", "-s", "/tmp/b", "--table", "shop.orders", "--table", "`a.b`.`c*`");
        Assert.True(qualified.Filter!.MatchTable("shop", "orders"));
        Assert.True(qualified.Filter.MatchTable("a.b", "c*"));
        Assert.False(qualified.Filter.MatchTable("a.b", "cd"));
        Assert.False(qualified.Filter.MatchTable("shop", "items"));
    }

    [Fact]
    public async Task Usage_errors_exit_2_without_running_the_job()
    {
        var ran = false;
        using var error = new StringWriter();
        var exit = await CliRunner.RunAsync(BrRoot.Create((_, _, _, _, _) => { ran = true; return Task.FromResult(0); }), "br",
            ["backup", "full", "-s", "/tmp/b", "--compression", "brotli"], error);

        Assert.Equal(2, exit);
        Assert.False(ran);
        Assert.StartsWith("br backup full: --compression: 'brotli'", error.ToString(), StringComparison.Ordinal);
    }

    internal static async Task<BackupOptions> ParseAsync(params string[] args)
    {
        BackupOptions? seen = null;
        using var error = new StringWriter();
        var exit = await CliRunner.RunAsync(BrRoot.Create((_, _, _, options, _) =>
        {
            seen = options;
            return Task.FromResult(0);
        }), "br", args, error);
        Assert.True(exit == 0, $"br {string.Join(' ', args)} exited {exit}: {error}");
        return seen!;
    }
}
