using System.Text;
using Cairn.Rpc;
using Cairn.Rpc.Coprocessor;
using Cairn.Rpc.Tipb;
using Google.Protobuf;
using ChecksumAlgorithm = Cairn.Rpc.Tipb.ChecksumAlgorithm;
using KeyRange = Cairn.Rpc.Coprocessor.KeyRange;
using Op = Cairn.Rpc.Kvrpcpb.Op;

namespace Cairn.Store.Tests;

public sealed class ChecksumTests
{
    private static (ulong Crc, ulong Kvs, ulong Bytes) Expected(IEnumerable<(string Key, string Value)> pairs)
    {
        ulong crc = 0, kvs = 0, bytes = 0;
        foreach (var (key, value) in pairs)
        {
            var k = Encoding.UTF8.GetBytes(key);
            var v = Encoding.UTF8.GetBytes(value);
            crc ^= Crc64Oracle.Compute([.. k, .. v]);
            kvs++;
            bytes += (ulong)(k.Length + v.Length);
        }

        return (crc, kvs, bytes);
    }

    private static Task<Response> ChecksumAsync(TestStore store, string start, string end, ulong ts, ChecksumRewriteRule? rule = null, long tp = 105)
    {
        var data = new ChecksumRequest { ScanOn = ChecksumScanOn.Table, Algorithm = ChecksumAlgorithm.Crc64Xor };
        if (rule is not null)
        {
            data.Rule = rule;
        }

        var request = new Request { Context = store.Ctx(start), Tp = tp, Data = data.ToByteString(), StartTs = ts };
        request.Ranges.Add(new KeyRange { Start = TestStore.B(start), End = TestStore.B(end) });
        return store.Channel.Tikv.CoprocessorAsync(request).ResponseAsync;
    }

    [Fact]
    public async Task Checksum_matches_an_independent_crc64xor_of_the_visible_pairs()
    {
        await using var store = await TestStore.StartAsync();
        var pairs = new[] { ("ck/a", "1"), ("ck/b", new string('x', 200)), ("ck/c", "three") };
        var before = store.Ts.Next();
        await store.PutAsync(pairs);
        await store.PutAsync(("ck/b", "new"), ("other", "outside"));

        var response = await ChecksumAsync(store, "ck/", "ck0", store.Ts.Next());
        Assert.Null(response.RegionError);
        Assert.Null(response.Locked);
        Assert.Equal("", response.OtherError);
        var result = ChecksumResponse.Parser.ParseFrom(response.Data);
        var expected = Expected([("ck/a", "1"), ("ck/b", "new"), ("ck/c", "three")]);
        Assert.Equal(expected.Crc, result.Checksum);
        Assert.Equal(expected.Kvs, result.TotalKvs);
        Assert.Equal(expected.Bytes, result.TotalBytes);

        var old = ChecksumResponse.Parser.ParseFrom((await ChecksumAsync(store, "ck/", "ck0", before)).Data);
        Assert.Equal(0UL, old.TotalKvs);
        Assert.Equal(0UL, old.Checksum);
    }

    [Fact]
    public async Task A_rewrite_rule_reproduces_the_checksum_of_the_old_prefix()
    {
        await using var store = await TestStore.StartAsync();
        await store.PutAsync(("old1/x", "v1"), ("old1/y", new string('y', 100)));
        await store.PutAsync(("newer2/x", "v1"), ("newer2/y", new string('y', 100)));
        var ts = store.Ts.Next();

        var original = ChecksumResponse.Parser.ParseFrom((await ChecksumAsync(store, "old1/", "old10", ts)).Data);
        var rule = new ChecksumRewriteRule { OldPrefix = TestStore.B("old1/"), NewPrefix = TestStore.B("newer2/") };
        var rewritten = ChecksumResponse.Parser.ParseFrom((await ChecksumAsync(store, "newer2/", "newer20", ts, rule)).Data);
        var plain = ChecksumResponse.Parser.ParseFrom((await ChecksumAsync(store, "newer2/", "newer20", ts)).Data);

        Assert.Equal(2UL, original.TotalKvs);
        Assert.Equal(original.Checksum, rewritten.Checksum);
        Assert.Equal(original.TotalKvs, rewritten.TotalKvs);
        Assert.Equal(original.TotalBytes, rewritten.TotalBytes);
        Assert.NotEqual(original.Checksum, plain.Checksum);
        Assert.Equal(original.TotalBytes + 4, plain.TotalBytes);
    }

    [Fact]
    public async Task A_lock_of_an_earlier_transaction_is_reported_and_later_ones_are_ignored()
    {
        await using var store = await TestStore.StartAsync();
        await store.PutAsync(("lk/a", "1"));
        var lockTs = store.Ts.Next();
        var prewrite = await store.PrewriteAsync(lockTs, "lk/b", 3000, (Op.Put, "lk/b", TestStore.Bytes("2")));
        Assert.Empty(prewrite.Errors);

        var blocked = await ChecksumAsync(store, "lk/", "lk0", store.Ts.Next());
        Assert.NotNull(blocked.Locked);
        Assert.Equal(lockTs, blocked.Locked.LockVersion);
        Assert.Equal("lk/b", blocked.Locked.Key.ToStringUtf8());

        var beforeLock = ChecksumResponse.Parser.ParseFrom((await ChecksumAsync(store, "lk/", "lk0", lockTs - 1)).Data);
        Assert.Equal(1UL, beforeLock.TotalKvs);
    }

    [Fact]
    public async Task Bad_regions_and_request_types_are_answered_with_errors()
    {
        await using var store = await TestStore.StartAsync();
        var request = new Request { Context = store.Ctx("a"), Tp = 105, Data = new ChecksumRequest().ToByteString(), StartTs = store.Ts.Next() };
        request.Context.RegionId += 1000;
        request.Ranges.Add(new KeyRange { Start = TestStore.B("a"), End = TestStore.B("b") });
        var response = await store.Channel.Tikv.CoprocessorAsync(request).ResponseAsync;
        Assert.NotNull(response.RegionError);

        var unsupported = await ChecksumAsync(store, "a", "b", store.Ts.Next(), tp: 103);
        Assert.Contains("unsupported", unsupported.OtherError, StringComparison.Ordinal);
    }
}
