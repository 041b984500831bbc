using System.Text;
using Cairn.Client.Regions;
using Cairn.Client.Txn;
using Cairn.Pd.Client;
using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Tikvpb;
using Google.Protobuf;

namespace Cairn.Client.Tests;

/// <summary>One 3-store cluster, split into regions spread over the stores, shared by the tests (each uses its own key prefix).</summary>
public sealed class SpreadClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public PdClient Pd { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 3 });
        Pd = await Cluster.ConnectPdAsync();
        // Every test prefix p… falls into several regions: split at p0…p9 boundaries of each letter used.
        var splits = new List<byte[]>();
        foreach (var prefix in new[] { "a", "b", "c", "d", "e", "f", "g", "h" })
        {
            splits.Add(Encoding.UTF8.GetBytes($"{prefix}/3"));
            splits.Add(Encoding.UTF8.GetBytes($"{prefix}/6"));
        }

        await ClusterSetup.SplitAsync(Cluster, Pd, splits, KeyMode.Txn);
        await ClusterSetup.ScatterAsync(Cluster, Pd, minStores: 3);
    }

    public async Task DisposeAsync()
    {
        await Pd.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

public sealed class TxnClientTests(SpreadClusterFixture fixture) : IClassFixture<SpreadClusterFixture>
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(byte[]? b) => b is null ? "<null>" : Encoding.UTF8.GetString(b);

    private TxnClient NewClient(ClientOptions? options = null) => new(fixture.Pd, options);

    [Fact]
    public async Task A_transaction_over_several_regions_and_stores_commits_atomically()
    {
        await using var client = NewClient();
        var keys = Enumerable.Range(0, 90).Select(i => B($"a/{i:D2}")).ToList();
        var txn = await client.BeginAsync();
        foreach (var key in keys)
        {
            txn.Set(key, B("v-" + S(key)));
        }

        var commitTs = await txn.CommitAsync();
        Assert.True(commitTs > txn.StartTs);

        var groups = await client.Cache.GroupKeysByRegionAsync(keys, KeyMode.Txn, new Backoffer(TimeSpan.FromSeconds(5)));
        Assert.True(groups.Count >= 3, $"keys span {groups.Count} regions");
        Assert.True(groups.Select(g => g.Region.Leader.StoreId).Distinct().Count() >= 2, "keys span several stores");

        var reader = await client.BeginAsync();
        var all = await reader.BatchGetAsync(keys);
        Assert.Equal(keys.Count, all.Count);
        Assert.All(keys, k => Assert.Equal("v-" + S(k), S(all[k])));
        var scanned = await reader.ScanAsync(B("a/"), B("a0"));
        Assert.Equal(keys.Select(S), scanned.Select(p => S(p.Key)));
        Assert.Equal("v-a/77", S(await reader.GetAsync(B("a/77"))));
        Assert.Equal(10, (await reader.ScanAsync(B("a/25"), B("a0"), limit: 10)).Count);

        // A snapshot before the commit sees none of it.
        var before = await client.SnapshotAsync(txn.StartTs);
        Assert.Empty(await before.BatchGetAsync(keys));
        Assert.Empty(await before.ScanAsync(B("a/"), B("a0")));
    }

    [Fact]
    public async Task Reads_see_the_transactions_own_writes_and_deletes()
    {
        await using var client = NewClient();
        await client.RunInTransactionAsync(t =>
        {
            t.Set(B("b/1"), B("one"));
            t.Set(B("b/5"), B("five"));
            t.Set(B("b/8"), B("eight"));
            return Task.CompletedTask;
        });

        var txn = await client.BeginAsync();
        txn.Set(B("b/4"), B("four"));
        txn.Delete(B("b/5"));
        txn.Set(B("b/8"), B("EIGHT"));
        Assert.Equal("four", S(await txn.GetAsync(B("b/4"))));
        Assert.Null(await txn.GetAsync(B("b/5")));
        Assert.Equal("EIGHT", S(await txn.GetAsync(B("b/8"))));
        Assert.Equal("one", S(await txn.GetAsync(B("b/1"))));
        var scan = await txn.ScanAsync(B("b/"), B("b0"));
        Assert.Equal(["b/1=one", "b/4=four", "b/8=EIGHT"], scan.Select(p => $"{S(p.Key)}={S(p.Value)}"));
        var limited = await txn.ScanAsync(B("b/"), B("b0"), limit: 2);
        Assert.Equal(["b/1", "b/4"], limited.Select(p => S(p.Key)));
        var batch = await txn.BatchGetAsync([B("b/1"), B("b/4"), B("b/5"), B("b/9")]);
        Assert.Equal(2, batch.Count);

        // Others do not see the buffer until commit.
        var other = await client.BeginAsync();
        Assert.Null(await other.GetAsync(B("b/4")));
        await txn.CommitAsync();
        var after = await client.BeginAsync();
        Assert.Null(await after.GetAsync(B("b/5")));
        Assert.Equal("four", S(await after.GetAsync(B("b/4"))));
        Assert.Null(await other.GetAsync(B("b/4")));
    }

    [Fact]
    public async Task Of_two_concurrent_transactions_writing_one_key_exactly_one_commits()
    {
        await using var client = NewClient();
        var first = await client.BeginAsync();
        var second = await client.BeginAsync();
        first.Set(B("c/1"), B("first"));
        first.Set(B("c/7"), B("first"));
        second.Set(B("c/7"), B("second"));
        second.Set(B("c/4"), B("second"));

        var outcomes = await Task.WhenAll(Attempt(first), Attempt(second));
        Assert.Single(outcomes, o => o is null);
        var loser = Assert.Single(outcomes, o => o is not null)!;
        Assert.True(loser.IsRetryable);
        Assert.Contains("write conflict", loser.Message);

        var reader = await client.BeginAsync();
        var winner = S(await reader.GetAsync(B("c/7")));
        if (winner == "first")
        {
            Assert.Equal("first", S(await reader.GetAsync(B("c/1"))));
            Assert.Null(await reader.GetAsync(B("c/4")));
        }
        else
        {
            Assert.Equal("second", winner);
            Assert.Equal("second", S(await reader.GetAsync(B("c/4"))));
            Assert.Null(await reader.GetAsync(B("c/1")));
        }

        // The loser left no locks behind.
        var locks = await ScanLocksAsync(client, B("c/"), B("c0"));
        Assert.Empty(locks);

        static async Task<WriteConflictException?> Attempt(Transaction t)
        {
            try
            {
                await t.CommitAsync();
                return null;
            }
            catch (WriteConflictException e)
            {
                return e;
            }
        }
    }

    [Fact]
    public async Task Conflicting_increments_are_retried_until_all_land()
    {
        await using var client = NewClient(new ClientOptions { MaxTransactionAttempts = 50 });
        var key = B("d/counter");
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            for (var i = 0; i < 5; i++)
            {
                await client.RunInTransactionAsync(async t =>
                {
                    var value = await t.GetAsync(key);
                    t.Set(key, B((value is null ? 1 : int.Parse(S(value)) + 1).ToString()));
                });
            }
        }));

        var reader = await client.BeginAsync();
        Assert.Equal("20", S(await reader.GetAsync(key)));
        Assert.Equal(20, client.CommittedCount);
    }

    [Fact]
    public async Task RunInTransaction_retries_a_conflict_a_bounded_number_of_times()
    {
        var key = B("c/retry");
        await using var once = NewClient(new ClientOptions { MaxTransactionAttempts = 1 });
        var e = await Assert.ThrowsAsync<WriteConflictException>(() => once.RunInTransactionAsync(async t =>
        {
            await t.GetAsync(key);
            await Interfere(once, key, "other");
            t.Set(key, B("mine"));
        }));
        Assert.Equal(key, e.Key);
        Assert.Equal(0, once.RetryCount);

        await using var twice = NewClient(new ClientOptions { MaxTransactionAttempts = 2 });
        var runs = 0;
        await twice.RunInTransactionAsync(async t =>
        {
            await t.GetAsync(key);
            if (++runs == 1)
            {
                await Interfere(twice, key, "other2");
            }

            t.Set(key, B("mine"));
        });
        Assert.Equal(2, runs);
        Assert.Equal(1, twice.RetryCount);
        Assert.Equal("mine", S(await (await twice.BeginAsync()).GetAsync(key)));

        static Task Interfere(TxnClient client, byte[] key, string value) => client.RunInTransactionAsync(t =>
        {
            t.Set(key, B(value));
            return Task.CompletedTask;
        });
    }

    [Fact]
    public async Task A_crashed_transactions_locks_are_rolled_back_by_a_reader_after_their_ttl()
    {
        await using var client = NewClient();
        await client.RunInTransactionAsync(t =>
        {
            t.Set(B("e/2"), B("old"));
            return Task.CompletedTask;
        });

        // A writer prewrites over two regions with a short TTL and then "crashes".
        var startTs = await fixture.Pd.GetTimestampAsync();
        await PrewriteAsync(client, startTs, B("e/1"), [B("e/1"), B("e/2"), B("e/8")], ttl: 300);
        Assert.Equal(3, (await ScanLocksAsync(client, B("e/"), B("e0"))).Count);

        var reader = await client.BeginAsync();
        Assert.Equal("old", S(await reader.GetAsync(B("e/2"))));
        Assert.Empty(await reader.ScanAsync(B("e/7"), B("e0")));
        Assert.Null(await reader.GetAsync(B("e/1")));
        Assert.True(client.Resolver.ResolvedLocks >= 1);
        Assert.Empty(await ScanLocksAsync(client, B("e/"), B("e0")));

        // A late commit of the crashed transaction now fails: it was rolled back.
        var commitTs = await fixture.Pd.GetTimestampAsync();
        var response = await SendAsync(client, B("e/1"), "KvCommit", static (t, r, o) => t.KvCommitAsync(r, o),
            c => new CommitRequest { Context = c, StartVersion = startTs, CommitVersion = commitTs, Keys = { ByteString.CopyFrom(B("e/1")) } }, r => r.RegionError);
        Assert.NotNull(response.Error);
    }

    [Fact]
    public async Task A_reader_commits_the_secondaries_of_a_transaction_whose_primary_committed()
    {
        await using var client = NewClient();
        var startTs = await fixture.Pd.GetTimestampAsync();
        await PrewriteAsync(client, startTs, B("f/1"), [B("f/1"), B("f/5"), B("f/9")], ttl: 60_000);
        var commitTs = await fixture.Pd.GetTimestampAsync();
        var committed = await SendAsync(client, B("f/1"), "KvCommit", static (t, r, o) => t.KvCommitAsync(r, o),
            c => new CommitRequest { Context = c, StartVersion = startTs, CommitVersion = commitTs, Keys = { ByteString.CopyFrom(B("f/1")) } }, r => r.RegionError);
        Assert.Null(committed.Error);

        // The TTL is long: only the primary's commit lets the reader through without waiting.
        var reader = await client.BeginAsync();
        Assert.Equal("v-f/5", S(await reader.GetAsync(B("f/5"))));
        var all = await reader.ScanAsync(B("f/"), B("f0"));
        Assert.Equal(["f/1", "f/5", "f/9"], all.Select(p => S(p.Key)));
        Assert.Empty(await ScanLocksAsync(client, B("f/"), B("f0")));
    }

    [Fact]
    public async Task A_live_lock_makes_a_reader_wait_and_then_give_up_with_a_lock_timeout()
    {
        await using var client = NewClient(new ClientOptions { ReadBudget = TimeSpan.FromMilliseconds(300) });
        var startTs = await fixture.Pd.GetTimestampAsync();
        await PrewriteAsync(client, startTs, B("g/1"), [B("g/1")], ttl: 60_000);
        var writer = await client.BeginAsync();
        writer.Set(B("g/1"), B("mine"));
        var e = await Assert.ThrowsAsync<KeyLockedTimeoutException>(() => writer.CommitAsync());
        Assert.Contains(Convert.ToHexString(B("g/1")), e.Message);
        Assert.True(e.IsRetryable);

        // Clean up for other tests: roll the lock back.
        await SendAsync(client, B("g/1"), "KvBatchRollback", static (t, r, o) => t.KvBatchRollbackAsync(r, o),
            c => new BatchRollbackRequest { Context = c, StartVersion = startTs, Keys = { ByteString.CopyFrom(B("g/1")) } }, r => r.RegionError);
    }

    [Fact]
    public async Task A_split_under_a_cached_region_is_followed_through_EpochNotMatch()
    {
        await using var client = NewClient();
        await client.RunInTransactionAsync(t =>
        {
            t.Set(B("h/1"), B("x"));
            t.Set(B("h/2"), B("y"));
            return Task.CompletedTask;
        });
        var reader = await client.BeginAsync();
        Assert.Equal("y", S(await reader.GetAsync(B("h/2"))));
        var cached = await client.Cache.LocateKeyAsync(B("h/2"), KeyMode.Txn, new Backoffer(TimeSpan.Zero));
        var countBefore = client.Cache.Count;

        await ClusterSetup.SplitAsync(fixture.Cluster, fixture.Pd, [B("h/15")], KeyMode.Txn);

        // The cached region is stale now: the store answers EpochNotMatch with both halves, which replace it.
        Assert.Equal("y", S(await reader.GetAsync(B("h/2"))));
        var now = await client.Cache.LocateKeyAsync(B("h/2"), KeyMode.Txn, new Backoffer(TimeSpan.Zero));
        Assert.NotEqual(cached.Region.RegionEpoch.Version, now.Region.RegionEpoch.Version);
        Assert.Equal(RegionCache.ToRegionKey(B("h/15"), KeyMode.Txn), now.Region.StartKey.ToByteArray());
        Assert.Equal(countBefore + 1, client.Cache.Count);
        Assert.Equal("x", S(await reader.GetAsync(B("h/1"))));

        var txn = await client.BeginAsync();
        txn.Set(B("h/1"), B("x2"));
        txn.Set(B("h/2"), B("y2"));
        await txn.CommitAsync();
        Assert.Equal(["h/1=x2", "h/2=y2"], (await (await client.BeginAsync()).ScanAsync(B("h/"), B("h0"))).Select(p => $"{S(p.Key)}={S(p.Value)}"));
    }

    internal static async Task PrewriteAsync(TxnClient client, ulong startTs, byte[] primary, IReadOnlyList<byte[]> keys, ulong ttl)
    {
        var groups = await client.Cache.GroupKeysByRegionAsync(keys, KeyMode.Txn, new Backoffer(TimeSpan.FromSeconds(5)));
        foreach (var group in groups)
        {
            var response = await client.Cache.GetChannel(group.Region.StoreAddress).Tikv.KvPrewriteAsync(new PrewriteRequest
            {
                Context = group.Region.ToContext(),
                PrimaryLock = ByteString.CopyFrom(primary),
                StartVersion = startTs,
                LockTtl = ttl,
                Mutations = { group.Keys.Select(k => new Mutation { Op = Op.Put, Key = ByteString.CopyFrom(k), Value = ByteString.CopyFromUtf8("v-" + Encoding.UTF8.GetString(k)) }) },
            }).ResponseAsync;
            Assert.Null(response.RegionError);
            Assert.Empty(response.Errors);
        }
    }

    internal static async Task<List<LockInfo>> ScanLocksAsync(TxnClient client, byte[] start, byte[] end)
    {
        var locks = new List<LockInfo>();
        var pieces = await client.Cache.SplitRangeAsync(start, end, KeyMode.Txn, new Backoffer(TimeSpan.FromSeconds(5)));
        foreach (var piece in pieces)
        {
            var response = await client.Cache.GetChannel(piece.Region.StoreAddress).Tikv.KvScanLockAsync(new ScanLockRequest
            {
                Context = piece.Region.ToContext(),
                StartKey = ByteString.CopyFrom(piece.Start),
                EndKey = ByteString.CopyFrom(piece.End),
                MaxVersion = ulong.MaxValue,
            }).ResponseAsync;
            Assert.Null(response.RegionError);
            locks.AddRange(response.Locks);
        }

        return locks;
    }

    internal static async Task<TResponse> SendAsync<TRequest, TResponse>(TxnClient client, byte[] key, string method, Func<Tikv.TikvClient, TRequest, Grpc.Core.CallOptions, Grpc.Core.AsyncUnaryCall<TResponse>> call,
        Func<Context, TRequest> build, Func<TResponse, Rpc.Errorpb.Error?> regionError)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>
        where TResponse : class, Google.Protobuf.IMessage<TResponse>
    {
        var backoffer = new Backoffer(TimeSpan.FromSeconds(10));
        while (true)
        {
            var region = await client.Cache.LocateKeyAsync(key, KeyMode.Txn, backoffer);
            if (await client.Cache.SendAsync(region, method, call, build, regionError, backoffer, "test request", CancellationToken.None) is { } response)
            {
                return response;
            }
        }
    }
}
