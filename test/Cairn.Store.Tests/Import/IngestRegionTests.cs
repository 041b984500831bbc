using Cairn.Common.Mvcc;
using Cairn.Rpc.ImportSstpb;
using Cairn.Rpc.Kvrpcpb;
using Google.Protobuf;
using static Cairn.Store.Tests.Import.BackupSsts;

namespace Cairn.Store.Tests.Import;

public sealed class IngestRegionTests(ImportFixture f) : IClassFixture<ImportFixture>
{
    private async Task<(long NewTable, DownloadRequest Request, DownloadResponse Response, Context Context)> DownloadedAsync(int rows = 10)
    {
        var (oldTable, newTable) = (f.NewTableId(), f.NewTableId());
        var (write, _) = f.Files.WriteTable($"t{oldTable}", oldTable,
            [.. Enumerable.Range(0, rows).Select(i => ((long)i, RandomValue(30)))], f.Ts.Next(), f.Ts.Next());
        var (region, context) = f.RegionOfTable(newTable);
        var request = f.TableDownload(write, "write", oldTable, newTable, region);
        var response = await f.DownloadAsync(request);
        Assert.Null(response.Error);
        return (newTable, request, response, context);
    }

    [Fact]
    public async Task An_ingest_with_a_stale_epoch_gets_epoch_not_match_and_leaves_no_data()
    {
        var (newTable, request, response, context) = await DownloadedAsync();
        context.RegionEpoch.ConfVer += 1;

        var ingest = await f.IngestAsync(context, (request, response));

        Assert.NotNull(ingest.Error?.EpochNotMatch);
        Assert.Empty(await f.ScanTableAsync(newTable, f.Ts.Next()));
    }

    [Fact]
    public async Task An_ingest_for_another_peer_gets_not_leader()
    {
        var (_, request, response, context) = await DownloadedAsync();
        context.Peer.Id += 1000;

        var ingest = await f.IngestAsync(context, (request, response));

        Assert.NotNull(ingest.Error?.NotLeader);
        Assert.True(f.IsStaged(request));
    }

    [Fact]
    public async Task An_sst_reaching_past_the_region_gets_key_not_in_region()
    {
        var (oldTable, newTable) = (f.NewTableId(), f.NewTableId());
        var (write, _) = f.Files.WriteTable($"t{oldTable}", oldTable,
            [.. Enumerable.Range(0, 10).Select(i => ((long)i, RandomValue(30)))], f.Ts.Next(), f.Ts.Next());
        var (_, whole) = f.RegionOfTable(newTable);
        var split = await f.Channel.Tikv.SplitRegionAsync(new SplitRegionRequest
        {
            Context = whole,
            SplitKeys = { ByteString.CopyFrom(RecordKey(newTable, 5)) },
        }).ResponseAsync;
        Assert.Null(split.RegionError);
        var (left, leftContext) = f.RegionOfTable(newTable);
        var request = f.TableDownload(write, "write", oldTable, newTable, left);
        var response = await f.DownloadAsync(request);
        Assert.Null(response.Error);

        var ingest = await f.IngestAsync(leftContext, (request, response));

        Assert.NotNull(ingest.Error?.KeyNotInRegion);
        Assert.Equal(left.Id, ingest.Error.KeyNotInRegion.RegionId);
        Assert.Empty(await f.ScanTableAsync(newTable, f.Ts.Next()));
    }

    [Fact]
    public async Task A_retried_ingest_of_a_consumed_file_is_a_stale_command_and_changes_nothing()
    {
        var (newTable, request, response, context) = await DownloadedAsync();
        var sst = request.Sst.Clone();
        sst.Range = response.Range.Clone();

        var first = await f.Channel.ImportSst.IngestAsync(new IngestRequest { Context = context, Sst = sst }).ResponseAsync;
        var before = await f.ScanTableAsync(newTable, f.Ts.Next());
        var retry = await f.Channel.ImportSst.IngestAsync(new IngestRequest { Context = context, Sst = sst }).ResponseAsync;

        Assert.Null(first.Error);
        Assert.False(f.IsStaged(request));
        Assert.NotNull(retry.Error?.StaleCommand);
        Assert.Contains("ingested does not exist", retry.Error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await f.ScanTableAsync(newTable, f.Ts.Next()));
    }

    [Fact]
    public async Task Ingesting_the_same_data_twice_leaves_the_same_rows()
    {
        var (newTable, request, response, context) = await DownloadedAsync();
        Assert.Null((await f.IngestAsync(context, (request, response))).Error);
        var once = await f.ScanTableAsync(newTable, f.Ts.Next());

        var again = request.Clone();
        again.Sst.Uuid = ByteString.CopyFrom(Guid.NewGuid().ToByteArray());
        var againResponse = await f.DownloadAsync(again);
        Assert.Null(againResponse.Error);
        Assert.Null((await f.IngestAsync(context, (again, againResponse))).Error);
        var twice = await f.ScanTableAsync(newTable, f.Ts.Next());

        Assert.Equal(10, once.Count);
        Assert.Equal(once, twice);
        var engine = f.Node.Engine;
        using var it = engine.Db.NewIterator(engine.Write, MvccKey.ToDataKey(MvccKey.EncodeKey(RecordKey(newTable, 0))), MvccKey.ToDataKey(MvccKey.EncodeKey(RecordKey(newTable, 1))));
        var versions = 0;
        for (it.SeekToFirst(); it.Valid; it.Next())
        {
            versions++;
        }

        Assert.Equal(1, versions);
    }

    [Fact]
    public async Task An_ingest_into_a_region_being_moved_away_is_told_to_back_off_and_succeeds_after()
    {
        var (newTable, request, response, context) = await DownloadedAsync();
        // A move freezes the region and waits for the requests inside it before copying its data away.
        Assert.True(f.Node.Regions.Freeze(context.RegionId, true));
        IngestResponse during;
        try
        {
            during = await f.IngestAsync(context, (request, response));
        }
        finally
        {
            f.Node.Regions.Freeze(context.RegionId, false);
        }

        Assert.NotNull(during.Error?.ServerIsBusy);
        Assert.True(f.IsStaged(request));
        Assert.Empty(await f.ScanTableAsync(newTable, f.Ts.Next()));
        Assert.Null((await f.IngestAsync(context, (request, response))).Error);
        Assert.Equal(10, (await f.ScanTableAsync(newTable, f.Ts.Next())).Count);
    }
}
