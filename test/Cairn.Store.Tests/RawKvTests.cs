using Cairn.Common.Mvcc;
using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using static Cairn.Store.Tests.TestStore;

namespace Cairn.Store.Tests;

public sealed class RawKvTests : IAsyncLifetime
{
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.StartAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Put_get_delete_round_trip_in_the_default_cf_under_z()
    {
        var put = await _store.Channel.Tikv.RawPutAsync(new RawPutRequest { Context = _store.RawCtx("rk"), Key = B("rk"), Value = B("rv") }).ResponseAsync;
        Assert.Null(put.RegionError);
        Assert.Empty(put.Error);
        var get = await _store.Channel.Tikv.RawGetAsync(new RawGetRequest { Context = _store.RawCtx("rk"), Key = B("rk") }).ResponseAsync;
        Assert.Equal("rv", get.Value.ToStringUtf8());
        Assert.False(get.NotFound);
        var engine = _store.Node.Engine;
        Assert.Equal(Bytes("rv"), engine.Db.Get(engine.Default, MvccKey.RawKvDataKey(Bytes("rk"))));

        await _store.Channel.Tikv.RawDeleteAsync(new RawDeleteRequest { Context = _store.RawCtx("rk"), Key = B("rk") }).ResponseAsync;
        var gone = await _store.Channel.Tikv.RawGetAsync(new RawGetRequest { Context = _store.RawCtx("rk"), Key = B("rk") }).ResponseAsync;
        Assert.True(gone.NotFound);
    }

    [Fact]
    public async Task Cf_field_is_honoured_and_unknown_cf_is_an_error()
    {
        await _store.Channel.Tikv.RawPutAsync(new RawPutRequest { Context = _store.RawCtx("cfk"), Key = B("cfk"), Value = B("in-write"), Cf = "write" }).ResponseAsync;
        var inDefault = await _store.Channel.Tikv.RawGetAsync(new RawGetRequest { Context = _store.RawCtx("cfk"), Key = B("cfk") }).ResponseAsync;
        Assert.True(inDefault.NotFound);
        var inWrite = await _store.Channel.Tikv.RawGetAsync(new RawGetRequest { Context = _store.RawCtx("cfk"), Key = B("cfk"), Cf = "write" }).ResponseAsync;
        Assert.Equal("in-write", inWrite.Value.ToStringUtf8());
        var engine = _store.Node.Engine;
        Assert.NotNull(engine.Db.Get(engine.Write, MvccKey.RawKvDataKey(Bytes("cfk"))));

        var bad = await _store.Channel.Tikv.RawPutAsync(new RawPutRequest { Context = _store.RawCtx("cfk"), Key = B("cfk"), Value = B("x"), Cf = "raft" }).ResponseAsync;
        Assert.Contains("column family", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_put_get_and_delete()
    {
        var put = new RawBatchPutRequest { Context = _store.RawCtx("b") };
        for (var i = 0; i < 5; i++)
        {
            put.Pairs.Add(new KvPair { Key = B($"b{i}"), Value = B($"v{i}") });
        }

        Assert.Empty((await _store.Channel.Tikv.RawBatchPutAsync(put).ResponseAsync).Error);
        var get = await _store.Channel.Tikv.RawBatchGetAsync(new RawBatchGetRequest { Context = _store.RawCtx("b"), Keys = { B("b1"), B("bx"), B("b3") } }).ResponseAsync;
        Assert.Equal(["b1:v1", "b3:v3"], get.Pairs.Select(p => $"{p.Key.ToStringUtf8()}:{p.Value.ToStringUtf8()}").Order());

        var delete = await _store.Channel.Tikv.RawBatchDeleteAsync(new RawBatchDeleteRequest { Context = _store.RawCtx("b"), Keys = { B("b1"), B("b3") } }).ResponseAsync;
        Assert.Empty(delete.Error);
        var after = await _store.Channel.Tikv.RawBatchGetAsync(new RawBatchGetRequest { Context = _store.RawCtx("b"), Keys = { B("b0"), B("b1"), B("b3"), B("b4") } }).ResponseAsync;
        Assert.Equal(["b0", "b4"], after.Pairs.Select(p => p.Key.ToStringUtf8()).Order());
    }

    [Fact]
    public async Task Scan_honours_bounds_limit_key_only_and_reverse()
    {
        var put = new RawBatchPutRequest { Context = _store.RawCtx("s") };
        for (var i = 0; i < 10; i++)
        {
            put.Pairs.Add(new KvPair { Key = B($"s{i}"), Value = B($"v{i}") });
        }

        put.Pairs.Add(new KvPair { Key = B("t0"), Value = B("outside") });
        await _store.Channel.Tikv.RawBatchPutAsync(put).ResponseAsync;

        var bounded = await Scan(new RawScanRequest { StartKey = B("s2"), EndKey = B("s5") });
        Assert.Equal(["s2", "s3", "s4"], Keys(bounded));
        Assert.Equal("v2", bounded.Kvs[0].Value.ToStringUtf8());

        var limited = await Scan(new RawScanRequest { StartKey = B("s"), Limit = 4, KeyOnly = true });
        Assert.Equal(["s0", "s1", "s2", "s3"], Keys(limited));
        Assert.All(limited.Kvs, p => Assert.True(p.Value.IsEmpty));

        var open = await Scan(new RawScanRequest { StartKey = B("s8") });
        Assert.Equal(["s8", "s9", "t0"], Keys(open));

        var reverse = await Scan(new RawScanRequest { StartKey = B("s5"), EndKey = B("s1"), Reverse = true, Limit = 3 });
        Assert.Equal(["s4", "s3", "s2"], Keys(reverse));

        var empty = await Scan(new RawScanRequest { StartKey = B("s5"), EndKey = B("s5") });
        Assert.Empty(empty.Kvs);

        async Task<RawScanResponse> Scan(RawScanRequest request)
        {
            request.Context = _store.RawCtx("s");
            var response = await _store.Channel.Tikv.RawScanAsync(request).ResponseAsync;
            Assert.Null(response.RegionError);
            return response;
        }

        static string[] Keys(RawScanResponse r) => [.. r.Kvs.Select(p => p.Key.ToStringUtf8())];
    }

    [Fact]
    public async Task Delete_range_removes_only_the_range()
    {
        var put = new RawBatchPutRequest { Context = _store.RawCtx("d") };
        for (var i = 0; i < 6; i++)
        {
            put.Pairs.Add(new KvPair { Key = B($"d{i}"), Value = B("v") });
        }

        await _store.Channel.Tikv.RawBatchPutAsync(put).ResponseAsync;
        var response = await _store.Channel.Tikv.RawDeleteRangeAsync(new RawDeleteRangeRequest { Context = _store.RawCtx("d"), StartKey = B("d1"), EndKey = B("d4") }).ResponseAsync;
        Assert.Empty(response.Error);
        var scan = await _store.Channel.Tikv.RawScanAsync(new RawScanRequest { Context = _store.RawCtx("d"), StartKey = B("d"), EndKey = B("e") }).ResponseAsync;
        Assert.Equal(["d0", "d4", "d5"], scan.Kvs.Select(p => p.Key.ToStringUtf8()));
    }

    [Fact]
    public async Task Raw_scans_never_see_local_metadata()
    {
        var scan = await _store.Channel.Tikv.RawScanAsync(new RawScanRequest { Context = _store.RawCtx("") }).ResponseAsync;
        Assert.Empty(scan.Kvs);
        var engine = _store.Node.Engine;
        Assert.NotNull(engine.Db.Get(engine.Default, Engine.LocalKeys.StoreIdent));
    }
}
