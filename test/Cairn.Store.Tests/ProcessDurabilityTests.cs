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
                var prewrite = await first.Channel.Tikv.KvPrewriteAsync(new PrewriteRequest
                {
                    Context = Ctx(region), PrimaryLock = B(key), StartVersion = startTs, LockTtl = 100,
                    Mutations = { new Mutation { Op = Op.Put, Key = B(key), Value = ByteString.CopyFrom(value) } },
                }).ResponseAsync;
                Assert.Empty(prewrite.Errors);
                var commitTs = ts.Next();
                var commit = await first.Channel.Tikv.KvCommitAsync(new CommitRequest { Context = Ctx(region), StartVersion = startTs, CommitVersion = commitTs, Keys = { B(key) } }).ResponseAsync;
                Assert.Null(commit.Error);
                committed[key] = value;
                commitTsByKey[key] = commitTs;
            }

            var raw = new RawBatchPutRequest { Context = Ctx(region) };
            for (var i = 0; i < 30; i++)
            {
                raw.Pairs.Add(new KvPair { Key = B($"raw{i:D3}"), Value = B($"raw-value-{i}") });
            }

            Assert.Empty((await first.Channel.Tikv.RawBatchPutAsync(raw).ResponseAsync).Error);
            Assert.Empty((await first.Channel.Tikv.RawPutAsync(new RawPutRequest { Context = Ctx(region), Key = B("raw-single"), Value = B("one") }).ResponseAsync).Error);

            pendingCommit = ts.Next();
            pendingRollback = ts.Next();
            foreach (var (start, key) in new[] { (pendingCommit, "pending-c"), (pendingRollback, "pending-r") })
            {
                var prewrite = await first.Channel.Tikv.KvPrewriteAsync(new PrewriteRequest
                {
                    Context = Ctx(region), PrimaryLock = B(key), StartVersion = start, LockTtl = 100,
                    Mutations = { new Mutation { Op = Op.Put, Key = B(key), Value = B("pending") } },
                }).ResponseAsync;
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
            var get = await second.Channel.Tikv.KvGetAsync(new GetRequest { Context = Ctx(reopened), Key = B(key), Version = readTs }).ResponseAsync;
            Assert.Null(get.Error);
            Assert.Equal(value, get.Value.ToByteArray());
            var before = await second.Channel.Tikv.KvGetAsync(new GetRequest { Context = Ctx(reopened), Key = B(key), Version = commitTsByKey[key] - 1 }).ResponseAsync;
            Assert.True(before.NotFound);
        }

        var rawScan = await second.Channel.Tikv.RawScanAsync(new RawScanRequest { Context = Ctx(reopened), StartKey = B("raw"), EndKey = B("rax") }).ResponseAsync;
        Assert.Equal(31, rawScan.Kvs.Count);
        Assert.Equal("raw-value-7", rawScan.Kvs.Single(p => p.Key == B("raw007")).Value.ToStringUtf8());

        var locks = await second.Channel.Tikv.KvScanLockAsync(new ScanLockRequest { Context = Ctx(reopened), MaxVersion = ulong.MaxValue }).ResponseAsync;
        Assert.Equal(["pending-c", "pending-r"], locks.Locks.Select(l => l.Key.ToStringUtf8()).Order());
        var blocked = await second.Channel.Tikv.KvGetAsync(new GetRequest { Context = Ctx(reopened), Key = B("pending-c"), Version = readTs }).ResponseAsync;
        Assert.Equal(pendingCommit, blocked.Error?.Locked?.LockVersion);

        // Resolve them as a client would: one committed, the other found expired and rolled back.
        var finalCommit = ts.Next();
        Assert.Null((await second.Channel.Tikv.KvResolveLockAsync(new ResolveLockRequest { Context = Ctx(reopened), StartVersion = pendingCommit, CommitVersion = finalCommit }).ResponseAsync).Error);
        var status = await second.Channel.Tikv.KvCheckTxnStatusAsync(new CheckTxnStatusRequest
        {
            Context = Ctx(reopened), PrimaryKey = B("pending-r"), LockTs = pendingRollback, CurrentTs = ts.After(1000),
        }).ResponseAsync;
        Assert.Equal(Rpc.Kvrpcpb.Action.TtlexpireRollback, status.Action);
        var after = ts.Next();
        var resolvedCommit = await second.Channel.Tikv.KvGetAsync(new GetRequest { Context = Ctx(reopened), Key = B("pending-c"), Version = after }).ResponseAsync;
        Assert.Equal("pending", resolvedCommit.Value.ToStringUtf8());
        var resolvedRollback = await second.Channel.Tikv.KvGetAsync(new GetRequest { Context = Ctx(reopened), Key = B("pending-r"), Version = after }).ResponseAsync;
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
            var split = await first.Channel.StoreAdmin.SplitRegionAsync(new AdminSplitRegionRequest
            {
                Context = Ctx(region), SplitKeys = { B("h"), B("q") },
                Ids = { new SplitId { NewRegionId = 100, NewPeerIds = { 101 } }, new SplitId { NewRegionId = 102, NewPeerIds = { 103 } } },
            }).ResponseAsync;
            Assert.Empty(split.Error);
            before = [.. split.Regions];
            await first.KillAsync();
        }

        await using var second = await StoreProcess.StartAsync(dir.Path);
        var info = await second.Channel.StoreAdmin.GetStoreInfoAsync(new GetStoreInfoRequest()).ResponseAsync;
        Assert.Equal(before, info.Regions);
        Assert.Equal(0, await second.TerminateAsync());
    }

    [Theory]
    [InlineData("store", "--addr", "127.0.0.1:0")]
    [InlineData("store", "--data-dir", "/tmp/x", "--addr", "not-an-address")]
    [InlineData("store", "--data-dir", "/tmp/x", "--labels", "novalue")]
    [InlineData("store", "--data-dir", "/tmp/x", "--unknown-flag")]
    [InlineData("store", "--data-dir", "/tmp/x", "--max-in-flight", "-3")]
    [InlineData("store", "--data-dir", "/tmp/x", "--backup-threads", "0")]
    [InlineData("store", "--data-dir", "/tmp/x", "--sst-max-size", "lots")]
    public async Task Bad_flags_exit_with_2_and_say_why(params string[] args)
    {
        var (exitCode, _, stderr) = await ProcessRunner.RunCairnAsync(TimeSpan.FromMinutes(1), args);
        Assert.Equal(2, exitCode);
        Assert.Contains("cairn store:", stderr, StringComparison.Ordinal);
    }

    private static async Task<Region> RegionAsync(StoreProcess store)
    {
        var info = await store.Channel.StoreAdmin.GetStoreInfoAsync(new GetStoreInfoRequest()).ResponseAsync;
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
