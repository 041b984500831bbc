using Cairn.Cli.Commands;
using Cairn.Br.Restore;
using Cairn.Hosting;

namespace Cairn.Br.Tests.Cli;

/// <summary>What br restore's flags become in the restore engine's options: the command tree parsed in-process, nothing run.</summary>
public sealed class RestoreFlagMappingTests
{
    [Fact]
    public async Task Without_flags_a_full_restore_gets_brs_defaults()
    {
        var (request, interval) = await ParseAsync("restore", "full", "-s", "/tmp/b");

        Assert.Equal(["127.0.0.1:2379"], request.PdAddresses);
        Assert.Equal(RestoreKind.Full, request.Kind);
        Assert.Null(request.Filter);
        Assert.Empty(request.Renames);
        Assert.Equal(128, request.Concurrency);
        Assert.Equal(0, request.RateLimitBytesPerSecond);
        Assert.True(request.Checksum);
        Assert.False(request.Online);
        Assert.Equal(TimeSpan.FromMinutes(5), interval);
        Assert.True(request.CheckRequirements);
        Assert.True(request.SendCredentialsToStores);
    }

    [Fact]
    public async Task Every_restore_flag_given_reaches_the_request()
    {
        var (request, interval) = await ParseAsync(
            "restore", "full", "-u", "10.0.0.1:2379", "-s", "local:///tmp/b", "-f", "shop.*", "-f", "!shop.log", "--rename", "shop.orders=archive.orders_2024",
            "--rename", "crm.*=crm2.*", "--ratelimit", "16", "--concurrency", "32", "--checksum=false", "--switch-mode-interval", "30s", "--online",
            "--check-requirements=false", "-c=false");

        Assert.Equal(["10.0.0.1:2379"], request.PdAddresses);
        Assert.True(request.Filter!.MatchTable("shop", "orders"));
        Assert.False(request.Filter.MatchTable("shop", "log"));
        Assert.False(request.Filter.MatchTable("crm", "t"));
        Assert.Equal([new TableRename("shop", "orders", "archive", "orders_2024"), new TableRename("crm", null, "crm2", null)], request.Renames);
        Assert.Equal(16L << 20, request.RateLimitBytesPerSecond);
        Assert.Equal(32, request.Concurrency);
        Assert.False(request.Checksum);
        Assert.Equal(TimeSpan.FromSeconds(30), interval);
        Assert.Equal(TimeSpan.FromSeconds(30), request.SwitchModeInterval);
        Assert.True(request.Online);
        Assert.False(request.CheckRequirements);
        Assert.False(request.SendCredentialsToStores);
    }

    [Fact]
    public async Task Db_table_and_raw_restores_name_what_they_restore()
    {
        var (db, _) = await ParseAsync("restore", "db", "-s", "/tmp/b", "--db", "shop");
        Assert.Equal(RestoreKind.Database, db.Kind);
        Assert.Equal(["shop"], db.Databases);

        var (table, _) = await ParseAsync("restore", "table", "-s", "/tmp/b", "--db", "shop", "-t", "orders", "-t", "items");
        Assert.Equal(RestoreKind.Table, table.Kind);
        Assert.Equal([("shop", "orders"), ("shop", "items")], table.Tables);

        var (raw, _) = await ParseAsync("restore", "raw", "-s", "/tmp/b", "--start", "61", "--end", "7a", "--cf", "write");
        Assert.Equal(RestoreKind.Raw, raw.Kind);
        Assert.Equal("a"u8.ToArray(), raw.Raw!.Start);
        Assert.Equal("z"u8.ToArray(), raw.Raw.End);
        Assert.Equal("write", raw.Raw.ColumnFamily);
    }

    internal static async Task<(RestoreOptions Options, TimeSpan SwitchModeInterval)> ParseAsync(params string[] args)
    {
        RestoreRequest? seen = null;
        using var error = new StringWriter();
        var exit = await CliRunner.RunAsync(BrRoot.Create(runRestore: (_, _, _, request, _) =>
        {
            seen = request;
            return Task.FromResult(0);
        }), "br", args, error);
        Assert.True(exit == 0, $"br {string.Join(' ', args)} exited {exit}: {error}");
        return (seen!.Options, seen.SwitchModeInterval);
    }
}
