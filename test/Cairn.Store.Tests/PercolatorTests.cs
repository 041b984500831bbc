using Cairn.Common.Mvcc;
using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using static Cairn.Store.Tests.TestStore;

namespace Cairn.Store.Tests;

public sealed class PercolatorTests : IAsyncLifetime
{
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.StartAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Committed_value_is_visible_only_at_and_after_its_commit_ts()
    {
        var before = _store.Ts.Next();
        var commitTs = await _store.PutAsync(("k1", "v1"));
        Assert.Null(await _store.ReadAsync("k1", before));
        Assert.Null(await _store.ReadAsync("k1", commitTs - 1));
        Assert.Equal("v1", await _store.ReadAsync("k1", commitTs));
        Assert.Equal("v1", await _store.ReadAsync("k1", _store.Ts.Next()));

        var second = await _store.PutAsync(("k1", "v2"));
        Assert.Equal("v1", await _store.ReadAsync("k1", second - 1));
        Assert.Equal("v2", await _store.ReadAsync("k1", second));
    }

    [Fact]
    public async Task Empty_values_are_values_and_deletes_hide_older_ones()
    {
        var put = await _store.PutAsync(("empty", ""));
        Assert.Equal("", await _store.ReadAsync("empty", put));
        var t = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t, "empty", 3000, (Op.Del, "empty", null))).Errors);
        var deleted = _store.Ts.Next();
        Assert.Null((await _store.CommitAsync(t, deleted, "empty")).Error);
        Assert.Null(await _store.ReadAsync("empty", deleted));
        Assert.Equal("", await _store.ReadAsync("empty", deleted - 1));
    }

    [Fact]
    public async Task Get_can_return_the_commit_ts()
    {
        var commitTs = await _store.PutAsync(("ct", "x"));
        var response = await _store.Channel.Tikv.KvGetAsync(new GetRequest { Context = _store.Ctx("ct"), Key = B("ct"), Version = _store.Ts.Next(), NeedCommitTs = true }).ResponseAsync;
        Assert.Equal(commitTs, response.CommitTs);
    }

    [Fact]
    public async Task Write_write_conflict_reports_the_newer_commit()
    {
        var oldStart = _store.Ts.Next();
        var commitTs = await _store.PutAsync(("w", "first"));
        var response = await _store.PrewriteAsync(oldStart, "w", 3000, (Op.Put, "w", Bytes("second")));
        var error = Assert.Single(response.Errors);
        Assert.NotNull(error.Conflict);
        Assert.Equal(oldStart, error.Conflict.StartTs);
        Assert.Equal(commitTs, error.Conflict.ConflictCommitTs);
        Assert.Equal(B("w"), error.Conflict.Key);
        Assert.Equal(B("w"), error.Conflict.Primary);
        Assert.True(error.Conflict.ConflictTs < commitTs);
        Assert.Equal("first", await _store.ReadAsync("w", _store.Ts.Next()));
    }

    [Fact]
    public async Task Lock_of_another_txn_gives_KeyIsLocked_with_full_lock_info()
    {
        var t1 = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t1, "p", 5000, (Op.Put, "p", Bytes("a")), (Op.Del, "s", null))).Errors);

        var t2 = _store.Ts.Next();
        var conflicting = await _store.PrewriteAsync(t2, "s", 3000, (Op.Put, "s", Bytes("b")), (Op.Put, "free", Bytes("c")));
        var locked = Assert.Single(conflicting.Errors).Locked;
        Assert.NotNull(locked);
        Assert.Equal(B("p"), locked.PrimaryLock);
        Assert.Equal(t1, locked.LockVersion);
        Assert.Equal(B("s"), locked.Key);
        Assert.Equal(5000UL, locked.LockTtl);
        Assert.Equal(2UL, locked.TxnSize);
        Assert.Equal(Op.Del, locked.LockType);
        // A prewrite that met a lock writes nothing, not even its unlocked keys.
        var scan = await _store.Channel.Tikv.KvScanLockAsync(new ScanLockRequest { Context = _store.Ctx("a"), MaxVersion = ulong.MaxValue }).ResponseAsync;
        Assert.DoesNotContain(scan.Locks, l => l.Key == B("free"));

        var read = await _store.GetAsync("p", _store.Ts.Next());
        Assert.NotNull(read.Error?.Locked);
        Assert.Equal(t1, read.Error.Locked.LockVersion);
        Assert.Equal(Op.Put, read.Error.Locked.LockType);

        // A read older than the lock is not blocked.
        Assert.Null(await _store.ReadAsync("p", t1 - 1));
    }

    [Fact]
    public async Task Reads_skip_lock_only_locks_and_locks_in_resolved_locks()
    {
        var t1 = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t1, "lk", 5000, (Op.Lock, "lk", null), (Op.Put, "rl", Bytes("x")))).Errors);
        var readTs = _store.Ts.Next();
        Assert.Null(await _store.ReadAsync("lk", readTs));

        var blocked = await _store.GetAsync("rl", readTs);
        Assert.NotNull(blocked.Error?.Locked);
        var ctx = _store.Ctx("rl");
        ctx.ResolvedLocks.Add(t1);
        var bypass = await _store.Channel.Tikv.KvGetAsync(new GetRequest { Context = ctx, Key = B("rl"), Version = readTs }).ResponseAsync;
        Assert.Null(bypass.Error);
        Assert.True(bypass.NotFound);
    }

    [Fact]
    public async Task Prewrite_is_idempotent_for_the_same_txn()
    {
        var t = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t, "i1", 3000, (Op.Put, "i1", Bytes("v")), (Op.Put, "i2", Bytes("w")))).Errors);
        Assert.Empty((await _store.PrewriteAsync(t, "i1", 3000, (Op.Put, "i1", Bytes("v")), (Op.Put, "i2", Bytes("w")))).Errors);
        var commitTs = _store.Ts.Next();
        Assert.Null((await _store.CommitAsync(t, commitTs, "i1", "i2")).Error);
        // A retried prewrite after the commit is still a success and changes nothing.
        Assert.Empty((await _store.PrewriteAsync(t, "i1", 3000, (Op.Put, "i1", Bytes("v")))).Errors);
        Assert.Equal("v", await _store.ReadAsync("i1", _store.Ts.Next()));
        var locks = await _store.Channel.Tikv.KvScanLockAsync(new ScanLockRequest { Context = _store.Ctx("a"), MaxVersion = ulong.MaxValue }).ResponseAsync;
        Assert.DoesNotContain(locks.Locks, l => l.LockVersion == t);
    }

    [Fact]
    public async Task Commit_is_idempotent()
    {
        var t = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t, "c1", 3000, (Op.Put, "c1", Bytes("v")))).Errors);
        var commitTs = _store.Ts.Next();
        Assert.Null((await _store.CommitAsync(t, commitTs, "c1")).Error);
        Assert.Null((await _store.CommitAsync(t, commitTs, "c1")).Error);
        Assert.Equal("v", await _store.ReadAsync("c1", commitTs));
    }

    [Fact]
    public async Task Commit_after_rollback_fails_and_prewrite_after_rollback_fails()
    {
        var t = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t, "r1", 3000, (Op.Put, "r1", Bytes("v")))).Errors);
        var rollback = await _store.Channel.Tikv.KvBatchRollbackAsync(new BatchRollbackRequest { Context = _store.Ctx("r1"), StartVersion = t, Keys = { B("r1"), B("r2") } }).ResponseAsync;
        Assert.Null(rollback.Error);

        var commit = await _store.CommitAsync(t, _store.Ts.Next(), "r1");
        Assert.NotNull(commit.Error);
        Assert.NotNull(commit.Error.TxnLockNotFound);
        Assert.NotEmpty(commit.Error.Retryable);

        // r2 was never prewritten: the rollback record protects it from a prewrite that arrives late.
        var late = await _store.PrewriteAsync(t, "r2", 3000, (Op.Put, "r2", Bytes("late")));
        var error = Assert.Single(late.Errors);
        Assert.NotNull(error.Conflict);
        Assert.Equal(WriteConflict.Types.Reason.SelfRolledBack, error.Conflict.Reason);
        Assert.Null(await _store.ReadAsync("r2", _store.Ts.Next()));
        Assert.Null(await _store.ReadAsync("r1", _store.Ts.Next()));
    }

    [Fact]
    public async Task Rolling_back_a_committed_txn_fails()
    {
        var t = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t, "rc", 3000, (Op.Put, "rc", Bytes("v")))).Errors);
        var commitTs = _store.Ts.Next();
        Assert.Null((await _store.CommitAsync(t, commitTs, "rc")).Error);
        var rollback = await _store.Channel.Tikv.KvBatchRollbackAsync(new BatchRollbackRequest { Context = _store.Ctx("rc"), StartVersion = t, Keys = { B("rc") } }).ResponseAsync;
        Assert.NotNull(rollback.Error);
        Assert.Contains("ommitted", rollback.Error.Abort, StringComparison.Ordinal);
        Assert.Equal("v", await _store.ReadAsync("rc", commitTs));
    }

    [Fact]
    public async Task Large_values_go_to_the_default_cf_and_short_values_stay_inline()
    {
        var big = new byte[1000];
        new Random(7).NextBytes(big);
        var small = new byte[WriteRecord.ShortValueMaxLength];
        var t = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t, "big", 3000, (Op.Put, "big", big), (Op.Put, "small", small))).Errors);
        var engine = _store.Node.Engine;
        Assert.Equal(big, engine.Db.Get(engine.Default, MvccKey.DataKey(Bytes("big"), t)));
        Assert.Null(engine.Db.Get(engine.Default, MvccKey.DataKey(Bytes("small"), t)));
        Assert.Equal(small, LockRecord.Decode(engine.Db.Get(engine.Lock, MvccKey.DataKey(Bytes("small")))!).ShortValue);

        var commitTs = _store.Ts.Next();
        Assert.Null((await _store.CommitAsync(t, commitTs, "big", "small")).Error);
        var write = WriteRecord.Decode(engine.Db.Get(engine.Write, MvccKey.DataKey(Bytes("big"), commitTs))!);
        Assert.Equal(WriteType.Put, write.Type);
        Assert.Equal(t, write.StartTs);
        Assert.Null(write.ShortValue);
        Assert.Equal(small, WriteRecord.Decode(engine.Db.Get(engine.Write, MvccKey.DataKey(Bytes("small"), commitTs))!).ShortValue);

        var read = await _store.GetAsync("big", commitTs);
        Assert.Equal(big, read.Value.ToByteArray());
        Assert.Equal(small, (await _store.GetAsync("small", commitTs)).Value.ToByteArray());
    }

    [Fact]
    public async Task Rollback_of_a_large_value_removes_it_from_the_default_cf()
    {
        var big = new byte[500];
        var t = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t, "bigr", 3000, (Op.Put, "bigr", big))).Errors);
        var engine = _store.Node.Engine;
        Assert.NotNull(engine.Db.Get(engine.Default, MvccKey.DataKey(Bytes("bigr"), t)));
        await _store.Channel.Tikv.KvBatchRollbackAsync(new BatchRollbackRequest { Context = _store.Ctx("bigr"), StartVersion = t, Keys = { B("bigr") } }).ResponseAsync;
        Assert.Null(engine.Db.Get(engine.Default, MvccKey.DataKey(Bytes("bigr"), t)));
        var rollback = WriteRecord.Decode(engine.Db.Get(engine.Write, MvccKey.DataKey(Bytes("bigr"), t))!);
        Assert.Equal(WriteType.Rollback, rollback.Type);
        Assert.True(rollback.IsProtectedRollback);
    }

    [Fact]
    public async Task Insert_on_an_existing_key_fails_with_AlreadyExist()
    {
        await _store.PutAsync(("ins", "v"));
        var response = await _store.PrewriteAsync(_store.Ts.Next(), "ins", 3000, (Op.Insert, "ins", Bytes("w")));
        var error = Assert.Single(response.Errors);
        Assert.Equal(B("ins"), error.AlreadyExist?.Key);

        // Insert on a deleted key is fine.
        var t = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t, "ins", 3000, (Op.Del, "ins", null))).Errors);
        Assert.Null((await _store.CommitAsync(t, _store.Ts.Next(), "ins")).Error);
        var t2 = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t2, "ins", 3000, (Op.Insert, "ins", Bytes("again")))).Errors);
        var commitTs = _store.Ts.Next();
        Assert.Null((await _store.CommitAsync(t2, commitTs, "ins")).Error);
        Assert.Equal("again", await _store.ReadAsync("ins", commitTs));
    }

    [Fact]
    public async Task Expired_lock_is_resolved_through_CheckTxnStatus_and_ResolveLock()
    {
        var t = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t, "ep", 100, (Op.Put, "ep", Bytes("a")), (Op.Put, "es", Bytes("b")))).Errors);
        var readTs = _store.Ts.Next();
        var blocked = await _store.GetAsync("es", readTs);
        var lockInfo = blocked.Error.Locked;
        Assert.Equal(B("ep"), lockInfo.PrimaryLock);

        // Not expired yet at a current_ts inside the TTL: the lock stays, min_commit_ts is pushed past the reader.
        var live = await _store.Channel.Tikv.KvCheckTxnStatusAsync(new CheckTxnStatusRequest
        {
            Context = _store.Ctx("ep"), PrimaryKey = lockInfo.PrimaryLock, LockTs = t, CallerStartTs = readTs, CurrentTs = readTs,
        }).ResponseAsync;
        Assert.Null(live.Error);
        Assert.Equal(100UL, live.LockTtl);
        Assert.Equal(Rpc.Kvrpcpb.Action.MinCommitTspushed, live.Action);
        Assert.Equal(readTs + 1, live.LockInfo.MinCommitTs);

        var status = await _store.Channel.Tikv.KvCheckTxnStatusAsync(new CheckTxnStatusRequest
        {
            Context = _store.Ctx("ep"), PrimaryKey = lockInfo.PrimaryLock, LockTs = t, CallerStartTs = readTs, CurrentTs = _store.Ts.After(1000),
        }).ResponseAsync;
        Assert.Null(status.Error);
        Assert.Equal(Rpc.Kvrpcpb.Action.TtlexpireRollback, status.Action);
        Assert.Equal(0UL, status.LockTtl);
        Assert.Equal(0UL, status.CommitVersion);

        var resolve = await _store.Channel.Tikv.KvResolveLockAsync(new ResolveLockRequest { Context = _store.Ctx("es"), StartVersion = t, CommitVersion = 0 }).ResponseAsync;
        Assert.Null(resolve.Error);
        Assert.Null(await _store.ReadAsync("es", readTs));
        Assert.Null(await _store.ReadAsync("ep", readTs));
        var locks = await _store.Channel.Tikv.KvScanLockAsync(new ScanLockRequest { Context = _store.Ctx("a"), MaxVersion = ulong.MaxValue }).ResponseAsync;
        Assert.DoesNotContain(locks.Locks, l => l.LockVersion == t);

        // The transaction cannot commit any more.
        Assert.NotNull((await _store.CommitAsync(t, _store.Ts.Next(), "ep")).Error);
    }

    [Fact]
    public async Task ResolveLock_commits_secondaries_of_a_committed_primary()
    {
        var t = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t, "cp", 100, (Op.Put, "cp", Bytes("1")), (Op.Put, "cs1", Bytes("2")), (Op.Put, "cs2", Bytes("3")))).Errors);
        var commitTs = _store.Ts.Next();
        Assert.Null((await _store.CommitAsync(t, commitTs, "cp")).Error);

        var status = await _store.Channel.Tikv.KvCheckTxnStatusAsync(new CheckTxnStatusRequest
        {
            Context = _store.Ctx("cp"), PrimaryKey = B("cp"), LockTs = t, CurrentTs = _store.Ts.After(1000),
        }).ResponseAsync;
        Assert.Equal(commitTs, status.CommitVersion);

        var batch = new ResolveLockRequest { Context = _store.Ctx("cs1") };
        batch.TxnInfos.Add(new TxnInfo { Txn = t, Status = commitTs });
        Assert.Null((await _store.Channel.Tikv.KvResolveLockAsync(batch).ResponseAsync).Error);
        Assert.Equal("2", await _store.ReadAsync("cs1", commitTs));
        Assert.Equal("3", await _store.ReadAsync("cs2", commitTs));
    }

    [Fact]
    public async Task ResolveLock_on_listed_keys_only_touches_those_keys()
    {
        var t = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t, "kp", 100, (Op.Put, "kp", Bytes("1")), (Op.Put, "ks", Bytes("2")))).Errors);
        var resolve = new ResolveLockRequest { Context = _store.Ctx("ks"), StartVersion = t, Keys = { B("ks") } };
        Assert.Null((await _store.Channel.Tikv.KvResolveLockAsync(resolve).ResponseAsync).Error);
        var readTs = _store.Ts.Next();
        Assert.Null(await _store.ReadAsync("ks", readTs));
        Assert.NotNull((await _store.GetAsync("kp", readTs)).Error?.Locked);
    }

    [Fact]
    public async Task CheckTxnStatus_on_a_missing_lock_rolls_back_or_reports_TxnNotFound()
    {
        var t = _store.Ts.Next();
        var notFound = await _store.Channel.Tikv.KvCheckTxnStatusAsync(new CheckTxnStatusRequest
        {
            Context = _store.Ctx("mp"), PrimaryKey = B("mp"), LockTs = t, CurrentTs = _store.Ts.Next(),
        }).ResponseAsync;
        Assert.Equal(t, notFound.Error?.TxnNotFound?.StartTs);

        var rolledBack = await _store.Channel.Tikv.KvCheckTxnStatusAsync(new CheckTxnStatusRequest
        {
            Context = _store.Ctx("mp"), PrimaryKey = B("mp"), LockTs = t, CurrentTs = _store.Ts.Next(), RollbackIfNotExist = true,
        }).ResponseAsync;
        Assert.Null(rolledBack.Error);
        Assert.Equal(Rpc.Kvrpcpb.Action.LockNotExistRollback, rolledBack.Action);
        Assert.NotEmpty((await _store.PrewriteAsync(t, "mp", 3000, (Op.Put, "mp", Bytes("late")))).Errors);
    }

    [Fact]
    public async Task Cleanup_respects_ttl_and_reports_commits()
    {
        var t = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t, "cl", 100, (Op.Put, "cl", Bytes("v")))).Errors);
        var live = await _store.Channel.Tikv.KvCleanupAsync(new CleanupRequest { Context = _store.Ctx("cl"), Key = B("cl"), StartVersion = t, CurrentTs = _store.Ts.Next() }).ResponseAsync;
        Assert.Equal(t, live.Error?.Locked?.LockVersion);

        var expired = await _store.Channel.Tikv.KvCleanupAsync(new CleanupRequest { Context = _store.Ctx("cl"), Key = B("cl"), StartVersion = t, CurrentTs = _store.Ts.After(1000) }).ResponseAsync;
        Assert.Null(expired.Error);
        Assert.NotNull((await _store.CommitAsync(t, _store.Ts.Next(), "cl")).Error);

        var commitTs = await _store.PutAsync(("cl2", "v"));
        var committed = await _store.Channel.Tikv.KvCleanupAsync(new CleanupRequest { Context = _store.Ctx("cl2"), Key = B("cl2"), StartVersion = commitTs - 1, CurrentTs = 0 }).ResponseAsync;
        Assert.Equal(commitTs, committed.CommitVersion);
    }

    [Fact]
    public async Task Commit_below_min_commit_ts_is_CommitTsExpired()
    {
        var t = _store.Ts.Next();
        var request = new PrewriteRequest
        {
            Context = _store.Ctx("mc"), PrimaryLock = B("mc"), StartVersion = t, LockTtl = 3000, MinCommitTs = t + 100,
            Mutations = { new Mutation { Op = Op.Put, Key = B("mc"), Value = B("v") } },
        };
        Assert.Empty((await _store.Channel.Tikv.KvPrewriteAsync(request).ResponseAsync).Errors);
        var commit = await _store.CommitAsync(t, t + 50, "mc");
        Assert.Equal(t + 100, commit.Error?.CommitTsExpired?.MinCommitTs);
        Assert.Equal(t + 50, commit.Error!.CommitTsExpired.AttemptedCommitTs);
        Assert.Null((await _store.CommitAsync(t, t + 100, "mc")).Error);
    }

    [Fact]
    public async Task CheckSecondaryLocks_reports_locks_commits_and_rollbacks()
    {
        var t = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t, "sp", 3000, (Op.Put, "sp", Bytes("1")), (Op.Put, "ss", Bytes("2")))).Errors);
        var locked = await _store.Channel.Tikv.KvCheckSecondaryLocksAsync(new CheckSecondaryLocksRequest { Context = _store.Ctx("ss"), StartVersion = t, Keys = { B("ss") } }).ResponseAsync;
        Assert.Single(locked.Locks);
        Assert.Equal(0UL, locked.CommitTs);

        var commitTs = _store.Ts.Next();
        Assert.Null((await _store.CommitAsync(t, commitTs, "sp", "ss")).Error);
        var committed = await _store.Channel.Tikv.KvCheckSecondaryLocksAsync(new CheckSecondaryLocksRequest { Context = _store.Ctx("ss"), StartVersion = t, Keys = { B("ss") } }).ResponseAsync;
        Assert.Equal(commitTs, committed.CommitTs);

        var other = _store.Ts.Next();
        var missing = await _store.Channel.Tikv.KvCheckSecondaryLocksAsync(new CheckSecondaryLocksRequest { Context = _store.Ctx("sx"), StartVersion = other, Keys = { B("sx") } }).ResponseAsync;
        Assert.Empty(missing.Locks);
        Assert.Equal(0UL, missing.CommitTs);
        Assert.NotEmpty((await _store.PrewriteAsync(other, "sx", 3000, (Op.Put, "sx", Bytes("late")))).Errors);
    }

    [Fact]
    public async Task Scan_honours_limit_key_only_reverse_deletes_and_locks()
    {
        for (var i = 0; i < 10; i++)
        {
            await _store.PutAsync(($"scan{i}", $"v{i}"));
        }

        var t = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t, "scan3", 3000, (Op.Del, "scan3", null))).Errors);
        Assert.Null((await _store.CommitAsync(t, _store.Ts.Next(), "scan3")).Error);
        var readTs = _store.Ts.Next();

        var all = await Scan(new ScanRequest { StartKey = B("scan"), EndKey = B("scao"), Version = readTs });
        Assert.Equal(["scan0", "scan1", "scan2", "scan4", "scan5", "scan6", "scan7", "scan8", "scan9"], all.Pairs.Select(p => p.Key.ToStringUtf8()));
        Assert.Equal("v4", all.Pairs[3].Value.ToStringUtf8());

        var limited = await Scan(new ScanRequest { StartKey = B("scan2"), EndKey = B("scao"), Version = readTs, Limit = 3, KeyOnly = true });
        Assert.Equal(["scan2", "scan4", "scan5"], limited.Pairs.Select(p => p.Key.ToStringUtf8()));
        Assert.All(limited.Pairs, p => Assert.True(p.Value.IsEmpty));

        var reverse = await Scan(new ScanRequest { StartKey = B("scan6"), EndKey = B("scan1"), Version = readTs, Reverse = true });
        Assert.Equal(["scan5", "scan4", "scan2", "scan1"], reverse.Pairs.Select(p => p.Key.ToStringUtf8()));

        var older = await Scan(new ScanRequest { StartKey = B("scan"), EndKey = B("scao"), Version = t - 1 });
        Assert.Contains(older.Pairs, p => p.Key == B("scan3"));

        var t2 = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t2, "scan7", 3000, (Op.Put, "scan7", Bytes("new")))).Errors);
        var blocked = await Scan(new ScanRequest { StartKey = B("scan"), EndKey = B("scao"), Version = _store.Ts.Next() });
        Assert.Equal(B("scan7"), blocked.Error?.Locked?.Key);
        Assert.Empty(blocked.Pairs);
        var beforeLock = await Scan(new ScanRequest { StartKey = B("scan"), EndKey = B("scao"), Version = readTs });
        Assert.Equal(9, beforeLock.Pairs.Count);

        async Task<ScanResponse> Scan(ScanRequest request)
        {
            request.Context = _store.Ctx("scan");
            var response = await _store.Channel.Tikv.KvScanAsync(request).ResponseAsync;
            Assert.Null(response.RegionError);
            return response;
        }
    }

    [Fact]
    public async Task Scan_reads_the_right_version_among_many()
    {
        var commits = new List<ulong>();
        await _store.PutAsync(("mu", "before"));
        for (var i = 0; i < 20; i++)
        {
            commits.Add(await _store.PutAsync(("mv", $"v{i}")));
        }

        await _store.PutAsync(("mw", "after"));
        foreach (var i in new[] { 0, 3, 8, 9, 15, 19 })
        {
            foreach (var reverse in new[] { false, true })
            {
                var request = new ScanRequest { Context = _store.Ctx("m"), Version = commits[i], Reverse = reverse };
                (request.StartKey, request.EndKey) = reverse ? (B("mz"), B("m")) : (B("m"), B("mz"));
                var response = await _store.Channel.Tikv.KvScanAsync(request).ResponseAsync;
                var pairs = response.Pairs.Select(p => $"{p.Key.ToStringUtf8()}={p.Value.ToStringUtf8()}").ToList();
                if (reverse)
                {
                    pairs.Reverse();
                }

                Assert.Equal(["mu=before", $"mv=v{i}"], pairs);
            }
        }

        var latest = await _store.Channel.Tikv.KvScanAsync(new ScanRequest { Context = _store.Ctx("m"), StartKey = B("m"), EndKey = B("mz"), Version = _store.Ts.Next() }).ResponseAsync;
        Assert.Equal(["mu=before", "mv=v19", "mw=after"], latest.Pairs.Select(p => $"{p.Key.ToStringUtf8()}={p.Value.ToStringUtf8()}"));
    }

    [Fact]
    public async Task BatchGet_returns_found_pairs_and_stops_at_locks()
    {
        var commitTs = await _store.PutAsync(("bg1", "a"), ("bg2", "b"));
        var response = await _store.Channel.Tikv.KvBatchGetAsync(new BatchGetRequest { Context = _store.Ctx("bg1"), Keys = { B("bg1"), B("bgx"), B("bg2") }, Version = commitTs }).ResponseAsync;
        Assert.Equal(["bg1", "bg2"], response.Pairs.Select(p => p.Key.ToStringUtf8()).Order());

        Assert.Empty((await _store.PrewriteAsync(_store.Ts.Next(), "bg2", 3000, (Op.Put, "bg2", Bytes("c")))).Errors);
        var locked = await _store.Channel.Tikv.KvBatchGetAsync(new BatchGetRequest { Context = _store.Ctx("bg1"), Keys = { B("bg1"), B("bg2") }, Version = _store.Ts.Next() }).ResponseAsync;
        Assert.Equal(B("bg2"), locked.Error?.Locked?.Key);
    }

    [Fact]
    public async Task ScanLock_filters_by_max_version_and_limit()
    {
        var t1 = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t1, "sl1", 3000, (Op.Put, "sl1", Bytes("a")), (Op.Put, "sl2", Bytes("b")))).Errors);
        var t2 = _store.Ts.Next();
        Assert.Empty((await _store.PrewriteAsync(t2, "sl3", 3000, (Op.Put, "sl3", Bytes("c")))).Errors);

        var below = await _store.Channel.Tikv.KvScanLockAsync(new ScanLockRequest { Context = _store.Ctx("sl1"), MaxVersion = t1, StartKey = B("sl") }).ResponseAsync;
        Assert.Equal(["sl1", "sl2"], below.Locks.Select(l => l.Key.ToStringUtf8()));
        var limited = await _store.Channel.Tikv.KvScanLockAsync(new ScanLockRequest { Context = _store.Ctx("sl1"), MaxVersion = ulong.MaxValue, StartKey = B("sl"), Limit = 2 }).ResponseAsync;
        Assert.Equal(2, limited.Locks.Count);
        var all = await _store.Channel.Tikv.KvScanLockAsync(new ScanLockRequest { Context = _store.Ctx("sl1"), MaxVersion = ulong.MaxValue, StartKey = B("sl"), EndKey = B("sm") }).ResponseAsync;
        Assert.Equal(3, all.Locks.Count);
    }

    [Fact]
    public async Task DeleteRange_removes_every_version_in_the_range()
    {
        var commitTs = await _store.PutAsync(("dr1", "a"), ("dr2", "b"), ("dr3", "c"));
        var response = await _store.Channel.Tikv.KvDeleteRangeAsync(new DeleteRangeRequest { Context = _store.Ctx("dr1"), StartKey = B("dr1"), EndKey = B("dr3") }).ResponseAsync;
        Assert.Empty(response.Error);
        Assert.Null(await _store.ReadAsync("dr1", commitTs));
        Assert.Null(await _store.ReadAsync("dr2", commitTs));
        Assert.Equal("c", await _store.ReadAsync("dr3", commitTs));
    }

    [Fact]
    public async Task Concurrent_prewrites_of_one_key_let_exactly_one_txn_win()
    {
        for (var round = 0; round < 10; round++)
        {
            var key = $"race{round}";
            var starts = Enumerable.Range(0, 8).Select(_ => _store.Ts.Next()).ToArray();
            var results = await Task.WhenAll(starts.Select(t => _store.PrewriteAsync(t, key, 3000, (Op.Put, key, Bytes(t.ToString(System.Globalization.CultureInfo.InvariantCulture))))));
            Assert.Equal(1, results.Count(r => r.Errors.Count == 0));
            Assert.All(results.Where(r => r.Errors.Count > 0), r => Assert.NotNull(r.Errors[0].Locked));
        }
    }
}
