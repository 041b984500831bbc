namespace Cairn.EndToEnd.Tests;

/// <summary>
/// The commands people use against a running cluster, each run as its own process against a playground that is
/// itself a tree of processes (pd and a store).
/// </summary>
public sealed class ClusterCommandTests : IAsyncLifetime
{
    private PlaygroundProcess? _playground;
    private string _pd = "";

    public async Task InitializeAsync()
    {
        _playground = await PlaygroundProcess.StartAsync(1);
        _pd = _playground.Pd;
    }

    public async Task DisposeAsync()
    {
        if (_playground is not null)
        {
            await _playground.DisposeAsync();
        }
    }

    [Fact]
    public async Task Workload_table_and_ddl_commands_work_against_a_playground()
    {
        var load = await Cairn("workload", "sysbench", "--pd", _pd, "--tables", "2", "--rows", "300");
        Assert.Contains("loaded 2 × 300 rows", load);
        Assert.Contains("verified", await Cairn("workload", "sysbench", "--pd", _pd, "--tables", "2", "--rows", "300", "--verify-only"));

        Assert.Contains("sbtest", await Cairn("db", "ls", "--pd", _pd));
        Assert.Contains("sbtest2", await Cairn("table", "ls", "sbtest", "--pd", _pd));
        Assert.Equal("300", (await Cairn("table", "count", "sbtest.sbtest1", "--pd", _pd)).Trim());
        Assert.Matches("crc64xor [0-9a-f]{16}  total_kvs 600  total_bytes [1-9][0-9]*", await Cairn("table", "checksum", "sbtest.sbtest1", "--pd", _pd));

        await Cairn("ddl", "create-db", "scratch", "--pd", _pd);
        await Cairn("ddl", "rename-table", "sbtest.sbtest2", "scratch.moved", "--pd", _pd);
        Assert.Equal("300", (await Cairn("table", "count", "scratch.moved", "--pd", _pd)).Trim());
        Assert.DoesNotContain("sbtest2", await Cairn("table", "ls", "sbtest", "--pd", _pd));
    }

    [Fact]
    public async Task Bad_names_exit_2_and_missing_tables_and_views_exit_1_with_a_message()
    {
        var (badExit, _, badErr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), "table", "count", "no-dot-here", "--pd", _pd);
        Assert.Equal(2, badExit);
        Assert.False(string.IsNullOrWhiteSpace(badErr));

        var (missingExit, _, missingErr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), "table", "count", "nodb.notable", "--pd", _pd);
        Assert.Equal(1, missingExit);
        Assert.Contains("nodb", missingErr);

        // A view has no rows of its own: its checksum is refused as its count is, not answered with zeros.
        await Cairn("workload", "sysbench", "--pd", _pd, "--db", "viewdb", "--tables", "1", "--rows", "5");
        await Cairn("ddl", "create-view", "viewdb.v", "--select", "SELECT id FROM viewdb.sbtest1", "--columns", "id", "--refs", "viewdb.sbtest1", "--pd", _pd);
        foreach (var command in new[] { "count", "checksum" })
        {
            var (viewExit, _, viewErr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), "table", command, "viewdb.v", "--pd", _pd);
            Assert.Equal(1, viewExit);
            Assert.Contains("is a view", viewErr);
        }
    }

    [Fact]
    public async Task Catalog_names_TiDB_refuses_exit_1_with_the_reason_and_unicode_names_work()
    {
        var (longExit, _, longErr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), "ddl", "create-db", new string('x', 65), "--pd", _pd);
        Assert.Equal(1, longExit);
        Assert.Contains("64", longErr);

        await Cairn("ddl", "create-db", "names", "--pd", _pd);
        await Cairn("workload", "sysbench", "--pd", _pd, "--db", "names", "--tables", "1", "--rows", "10");
        var (primaryExit, _, primaryErr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), "ddl", "add-index", "names.sbtest1", "Primary", "c", "--pd", _pd);
        Assert.Equal(1, primaryExit);
        Assert.Contains("primary key", primaryErr);

        await Cairn("ddl", "create-db", "数据库", "--pd", _pd);
        Assert.Contains("数据库", await Cairn("db", "ls", "--pd", _pd));
    }

    private static async Task<string> Cairn(params string[] args)
    {
        var (exitCode, stdout, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(2), args);
        Assert.True(exitCode == 0, $"cairn {string.Join(' ', args)} exited with {exitCode}\n{stdout}\n{stderr}");
        return stdout;
    }
}
