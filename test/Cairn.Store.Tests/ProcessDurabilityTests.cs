using System.Diagnostics;
using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Storepb;
using Google.Protobuf;
using static Cairn.Store.Tests.TestStore;

namespace Cairn.Store.Tests;

/// <summary>The real executable, killed with SIGKILL and restarted on the same data directory.</summary>
public sealed class ProcessDurabilityTests
{
    [Fact]
    public async Task Acknowledged_writes_survive_kill_9_and_uncommitted_prewrites_stay_resolvable()
    {
        using var dir = new TempDirectory();
        var ts = new Timestamps();
        var committed = new Dictionary<string, byte[]>();
        var commitTsByKey = new Dictionary<string, ulong>();
        ulong pendingCommit, pendingRollback;
        ulong storeId;
        var big = new byte[300];
        new Random(11).NextBytes(big);

        await using (var first = await StoreProcess.StartAsync(dir.Path))
        {
            storeId = first.StoreId;
            var region = await RegionAsync(first);
            for (var i = 0; i < 30; i++)
            {
                var key = $"txn{i:D3}";
                var value = i % 5 == 0 ? big : Bytes($"value-{i}");
                var startTs = ts.Next();
                var prewrite = await first.Channel.UnaryAsync(TikvMethods.KvPrewrite, new PrewriteRequest
                {
                    Context = Ctx(region), PrimaryLock = B(key), StartVersion = startTs, LockTtl = 100,
                    Mutations = { new Mutation { Op = Op.Put, Key = B(key), Value = ByteString.CopyFrom(value) } },
                });
                Assert.Empty(prewrite.Errors);
                var commitTs = ts.Next();
                var commit = await first.Channel.UnaryAsync(TikvMethods.KvCommit,
                    new CommitRequest { Context = Ctx(region), StartVersion = startTs, CommitVersion = commitTs, Keys = { B(key) } });
                Assert.Null(commit.Error);
                committed[key] = value;
                commitTsByKey[key] = commitTs;
            }

            var raw = new RawBatchPutRequest { Context = Ctx(region) };
            for (var i = 0; i < 30; i++)
            {
                raw.Pairs.Add(new KvPair { Key = B($"raw{i:D3}"), Value = B($"raw-value-{i}") });
            }

            Assert.Empty((await first.Channel.UnaryAsync(TikvMethods.RawBatchPut, raw)).Error);
            Assert.Empty((await first.Channel.UnaryAsync(TikvMethods.RawPut, new RawPutRequest { Context = Ctx(region), Key = B("raw-single"), Value = B("one") })).Error);

            pendingCommit = ts.Next();
            pendingRollback = ts.Next();
            foreach (var (start, key) in new[] { (pendingCommit, "pending-c"), (pendingRollback, "pending-r") })
            {
                var prewrite = await first.Channel.UnaryAsync(TikvMethods.KvPrewrite, new PrewriteRequest
                {
                    Context = Ctx(region), PrimaryLock = B(key), StartVersion = start, LockTtl = 100,
                    Mutations = { new Mutation { Op = Op.Put, Key = B(key), Value = B("pending") } },
                });
                Assert.Empty(prewrite.Errors);
            }

            await first.KillAsync();
        }

        await using var second = await StoreProcess.StartAsync(dir.Path);
        Assert.Equal(storeId, second.StoreId);
        var reopened = await RegionAsync(second);
        var readTs = ts.Next();
        foreach (var (key, value) in committed)
        {
            var get = await second.Channel.UnaryAsync(TikvMethods.KvGet, new GetRequest { Context = Ctx(reopened), Key = B(key), Version = readTs });
            Assert.Null(get.Error);
            Assert.Equal(value, get.Value.ToByteArray());
            var before = await second.Channel.UnaryAsync(TikvMethods.KvGet, new GetRequest { Context = Ctx(reopened), Key = B(key), Version = commitTsByKey[key] - 1 });
            Assert.True(before.NotFound);
        }

        var rawScan = await second.Channel.UnaryAsync(TikvMethods.RawScan, new RawScanRequest { Context = Ctx(reopened), StartKey = B("raw"), EndKey = B("rax") });
        Assert.Equal(31, rawScan.Kvs.Count);
        Assert.Equal("raw-value-7", rawScan.Kvs.Single(p => p.Key == B("raw007")).Value.ToStringUtf8());

        var locks = await second.Channel.UnaryAsync(TikvMethods.KvScanLock, new ScanLockRequest { Context = Ctx(reopened), MaxVersion = ulong.MaxValue });
        Assert.Equal(["pending-c", "pending-r"], locks.Locks.Select(l => l.Key.ToStringUtf8()).Order());
        var blocked = await second.Channel.UnaryAsync(TikvMethods.KvGet, new GetRequest { Context = Ctx(reopened), Key = B("pending-c"), Version = readTs });
        Assert.Equal(pendingCommit, blocked.Error?.Locked?.LockVersion);

        // Resolve them as a client would: one committed, the other found expired and rolled back.
        var finalCommit = ts.Next();
        Assert.Null((await second.Channel.UnaryAsync(TikvMethods.KvResolveLock,
            new ResolveLockRequest { Context = Ctx(reopened), StartVersion = pendingCommit, CommitVersion = finalCommit })).Error);
        var status = await second.Channel.UnaryAsync(TikvMethods.KvCheckTxnStatus, new CheckTxnStatusRequest
        {
            Context = Ctx(reopened), PrimaryKey = B("pending-r"), LockTs = pendingRollback, CurrentTs = ts.After(1000),
        });
        Assert.Equal(Rpc.Kvrpcpb.Action.TtlexpireRollback, status.Action);
        var after = ts.Next();
        var resolvedCommit = await second.Channel.UnaryAsync(TikvMethods.KvGet, new GetRequest { Context = Ctx(reopened), Key = B("pending-c"), Version = after });
        Assert.Equal("pending", resolvedCommit.Value.ToStringUtf8());
        var resolvedRollback = await second.Channel.UnaryAsync(TikvMethods.KvGet, new GetRequest { Context = Ctx(reopened), Key = B("pending-r"), Version = after });
        Assert.True(resolvedRollback.NotFound);

        Assert.Equal(0, await second.TerminateAsync());
    }

    [Fact]
    public async Task Splits_made_over_rpc_survive_kill_9()
    {
        using var dir = new TempDirectory();
        Region[] before;
        await using (var first = await StoreProcess.StartAsync(dir.Path))
        {
            var region = await RegionAsync(first);
            var split = await first.Channel.UnaryAsync(StoreAdminMethods.SplitRegion, new AdminSplitRegionRequest
            {
                Context = Ctx(region), SplitKeys = { B("h"), B("q") },
                Ids = { new SplitId { NewRegionId = 100, NewPeerIds = { 101 } }, new SplitId { NewRegionId = 102, NewPeerIds = { 103 } } },
            });
            Assert.Empty(split.Error);
            before = [.. split.Regions];
            await first.KillAsync();
        }

        await using var second = await StoreProcess.StartAsync(dir.Path);
        var info = await second.Channel.UnaryAsync(StoreAdminMethods.GetStoreInfo, new GetStoreInfoRequest());
        Assert.Equal(before, info.Regions);
        Assert.Equal(0, await second.TerminateAsync());
    }

    [Theory]
    [InlineData("store", "--addr", "127.0.0.1:0")]
    [InlineData("store", "--data-dir", "/tmp/x", "--addr", "not-an-address")]
    [InlineData("store", "--data-dir", "/tmp/x", "--labels", "novalue")]
    [InlineData("store", "--data-dir", "/tmp/x", "--unknown-flag")]
    [InlineData("store", "--data-dir", "/tmp/x", "--max-in-flight", "-3")]
    public async Task Bad_flags_exit_with_2_and_say_why(params string[] args)
    {
        using var process = Process.Start(StoreProcess.StartInfo(args))!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("cairn store:", await stderr, StringComparison.Ordinal);
    }

    private static async Task<Region> RegionAsync(StoreProcess store)
    {
        var info = await store.Channel.UnaryAsync(StoreAdminMethods.GetStoreInfo, new GetStoreInfoRequest());
        Assert.Equal(store.StoreId, info.Store.Id);
        return info.Regions.Single();
    }

    private static Context Ctx(Region region) => new()
    {
        RegionId = region.Id,
        RegionEpoch = region.RegionEpoch,
        Peer = region.Peers[0],
    };
}
