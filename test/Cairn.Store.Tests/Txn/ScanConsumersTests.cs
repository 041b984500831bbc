using Cairn.Common.Hashing;
using Cairn.Rpc;
using Cairn.Rpc.Coprocessor;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Tipb;
using Google.Protobuf;
using static Cairn.Store.Tests.TestStore;
using ChecksumAlgorithm = Cairn.Rpc.Tipb.ChecksumAlgorithm;
using KeyRange = Cairn.Rpc.Coprocessor.KeyRange;

namespace Cairn.Store.Tests.Txn;

/// <summary>
/// KvScan (forward in pages, reverse, key-only) and the checksum coprocessor, which share the MVCC scanner, against a
/// model of what was committed through the real Percolator path: many versions, long values, deletes, rollbacks and
/// lock-only commits, at several read timestamps, and with a pending lock that both must report or bypass alike.
/// </summary>
public sealed class ScanConsumersTests
{
    private const int Keys = 60;

    [Fact]
    public async Task KvScan_and_checksum_read_the_same_versions_as_the_model()
    {
        await using var store = await TestStore.StartAsync();
        var random = new Random(7);
        var history = new Dictionary<string, List<(ulong CommitTs, byte[]? Value)>>();
        var readPoints = new List<ulong>();
        for (var round = 0; round < 6; round++)
        {
            for (var k = 0; k < Keys; k++)
            {
                var key = $"m{k:D3}";
                if (random.Next(3) == 0)
                {
                    continue;
                }

                var startTs = store.Ts.Next();
                var op = random.Next(10) switch
                {
                    < 5 => Op.Put,
                    < 7 => Op.Del,
                    < 8 => Op.Lock,
                    _ => Op.Rollback,
                };
                byte[]? value = null;
                if (op == Op.Put)
                {
                    value = new byte[random.Next(2) == 0 ? random.Next(1, 64) : random.Next(65, 300)];
                    random.NextBytes(value);
                }

                var prewrite = await store.PrewriteAsync(startTs, key, 3000, (op == Op.Rollback ? Op.Put : op, key, value ?? [1, 2, 3]));
                Assert.Empty(prewrite.Errors);
                if (op == Op.Rollback)
                {
                    var rollback = await store.Channel.Tikv.KvBatchRollbackAsync(new BatchRollbackRequest { Context = store.Ctx(key), StartVersion = startTs, Keys = { B(key) } });
                    Assert.Null(rollback.Error);
                    continue;
                }

                var commitTs = store.Ts.Next();
                Assert.Null((await store.CommitAsync(startTs, commitTs, key)).Error);
                if (op != Op.Lock)
                {
                    (history.TryGetValue(key, out var versions) ? versions : history[key] = []).Add((commitTs, value));
                }
            }

            readPoints.Add(store.Ts.Next());
        }

        foreach (var readTs in readPoints)
        {
            var expected = Model(history, readTs);
            Assert.Equal(expected, await ScanForwardAsync(store, readTs, limit: 7));
            Assert.Equal(Enumerable.Reverse(expected), await ScanReverseAsync(store, readTs));
            Assert.Equal(expected.Select(p => (p.Key, "")), (await ScanForwardAsync(store, readTs, limit: 0, keyOnly: true)).Select(p => (p.Key, "")));
            Assert.Equal(Checksum(expected), await ChecksumAsync(store, readTs, null));
        }

        // A pending lock below the read ts: both report it, and both read past it once it is marked resolved.
        var pendingTs = store.Ts.Next();
        Assert.Empty((await store.PrewriteAsync(pendingTs, "m030", 3000, (Op.Put, "m030", Bytes("pending")))).Errors);
        var afterTs = store.Ts.Next();
        var scan = await store.Channel.Tikv.KvScanAsync(new ScanRequest { Context = store.Ctx("m"), StartKey = B("m"), EndKey = B("n"), Version = afterTs });
        Assert.Equal(pendingTs, scan.Error?.Locked?.LockVersion);
        Assert.Empty(scan.Pairs);
        var checksum = await ChecksumResponseAsync(store, afterTs, null);
        Assert.Equal(pendingTs, checksum.Locked?.LockVersion);

        var resolved = new Context(store.Ctx("m")) { ResolvedLocks = { pendingTs } };
        var expectedNow = Model(history, afterTs);
        Assert.Equal(expectedNow, await ScanForwardAsync(store, afterTs, limit: 0, context: resolved));
        Assert.Equal(Checksum(expectedNow), await ChecksumAsync(store, afterTs, resolved));
    }

    private static List<(string Key, string Value)> Model(Dictionary<string, List<(ulong CommitTs, byte[]? Value)>> history, ulong readTs)
    {
        var pairs = new List<(string, string)>();
        foreach (var key in history.Keys.Order(StringComparer.Ordinal))
        {
            var visible = history[key].Where(v => v.CommitTs <= readTs).OrderByDescending(v => v.CommitTs).Select(v => v.Value).FirstOrDefault();
            if (visible is not null)
            {
                pairs.Add((key, Convert.ToHexString(visible)));
            }
        }

        return pairs;
    }

    private static KvChecksum Checksum(IEnumerable<(string Key, string Value)> pairs) =>
        pairs.Aggregate(KvChecksum.Empty, (sum, p) => sum.Add(Bytes(p.Key), Convert.FromHexString(p.Value)));

    private static async Task<List<(string Key, string Value)>> ScanForwardAsync(TestStore store, ulong readTs, uint limit,
        bool keyOnly = false, Context? context = null)
    {
        var pairs = new List<(string, string)>();
        var start = B("m");
        while (true)
        {
            var response = await store.Channel.Tikv.KvScanAsync(new ScanRequest
            {
                Context = context ?? store.Ctx("m"),
                StartKey = start,
                EndKey = B("n"),
                Version = readTs,
                Limit = limit,
                KeyOnly = keyOnly,
            });
            Assert.Null(response.RegionError);
            Assert.Null(response.Error);
            pairs.AddRange(response.Pairs.Select(p => (p.Key.ToStringUtf8(), Convert.ToHexString(p.Value.Span))));
            if (limit == 0 || response.Pairs.Count < limit)
            {
                return pairs;
            }

            start = ByteString.CopyFrom([.. response.Pairs[^1].Key.Span, 0]);
        }
    }

    private static async Task<List<(string Key, string Value)>> ScanReverseAsync(TestStore store, ulong readTs)
    {
        var response = await store.Channel.Tikv.KvScanAsync(new ScanRequest
        {
            Context = store.Ctx("m"),
            StartKey = B("n"),
            EndKey = B("m"),
            Version = readTs,
            Limit = Keys + 1,
            Reverse = true,
        });
        Assert.Null(response.RegionError);
        Assert.Null(response.Error);
        return [.. response.Pairs.Select(p => (p.Key.ToStringUtf8(), Convert.ToHexString(p.Value.Span)))];
    }

    private static async Task<KvChecksum> ChecksumAsync(TestStore store, ulong readTs, Context? context)
    {
        var response = await ChecksumResponseAsync(store, readTs, context);
        Assert.Null(response.RegionError);
        Assert.Null(response.Locked);
        Assert.Equal("", response.OtherError);
        var result = ChecksumResponse.Parser.ParseFrom(response.Data);
        return new KvChecksum(result.Checksum, result.TotalKvs, result.TotalBytes);
    }

    private static Task<Response> ChecksumResponseAsync(TestStore store, ulong readTs, Context? context)
    {
        var data = new ChecksumRequest { ScanOn = ChecksumScanOn.Table, Algorithm = ChecksumAlgorithm.Crc64Xor };
        var request = new Request { Context = context ?? store.Ctx("m"), Tp = 105, Data = data.ToByteString(), StartTs = readTs };
        request.Ranges.Add(new KeyRange { Start = B("m"), End = B("n") });
        return store.Channel.Tikv.CoprocessorAsync(request).ResponseAsync;
    }
}
