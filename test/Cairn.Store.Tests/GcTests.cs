using Cairn.Common.Mvcc;
using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using static Cairn.Store.Tests.TestStore;

namespace Cairn.Store.Tests;

public sealed class GcTests
{
    [Fact]
    public async Task Gc_drops_invisible_versions_and_keeps_what_reads_at_or_after_the_safepoint_see()
    {
        await using var store = await TestStore.StartAsync();
        var big = new byte[200];
        new Random(3).NextBytes(big);

        // Key "g": big v1, v2, a lock-only write, a rollback, then (after the safepoint) v3.
        var c1 = await CommitAsync(store, "g", Op.Put, big);
        var c2 = await store.PutAsync(("g", "v2"));
        var lockStart = store.Ts.Next();
        Assert.Empty((await store.PrewriteAsync(lockStart, "g", 3000, (Op.Lock, "g", null))).Errors);
        var cLock = store.Ts.Next();
        Assert.Null((await store.CommitAsync(lockStart, cLock, "g")).Error);
        var rolledBack = store.Ts.Next();
        await store.Channel.Tikv.KvBatchRollbackAsync(new BatchRollbackRequest { Context = store.Ctx("g"), StartVersion = rolledBack, Keys = { B("g") } }).ResponseAsync;

        // Key "d": a value, then a delete, both below the safepoint: nothing of it survives.
        var d1 = await store.PutAsync(("d", "gone"));
        var d2 = await CommitAsync(store, "d", Op.Del, null);

        var safePoint = store.Ts.Next();
        var c3 = await store.PutAsync(("g", "v3"));

        var readsBefore = new[] { safePoint, c3 - 1, c3, store.Ts.Next() };
        var expected = new List<string?>();
        foreach (var ts in readsBefore)
        {
            expected.Add(await store.ReadAsync("g", ts));
        }

        Assert.Equal(5, CountVersions(store, "g"));
        var engine = store.Node.Engine;
        var bigStart = WriteRecord.Decode(engine.Db.Get(engine.Write, MvccKey.DataKey(Bytes("g"), c1))!).StartTs;
        Assert.NotNull(engine.Db.Get(engine.Default, MvccKey.DataKey(Bytes("g"), bigStart)));

        var gc = await store.Channel.Tikv.KvGCAsync(new GCRequest { Context = store.Ctx("g"), SafePoint = safePoint }).ResponseAsync;
        Assert.Null(gc.RegionError);
        Assert.Null(gc.Error);

        // Left: v3 (after the safepoint) and v2 (the newest Put at or below it).
        Assert.Equal(2, CountVersions(store, "g"));
        Assert.NotNull(engine.Db.Get(engine.Write, MvccKey.DataKey(Bytes("g"), c2)));
        Assert.NotNull(engine.Db.Get(engine.Write, MvccKey.DataKey(Bytes("g"), c3)));
        Assert.Null(engine.Db.Get(engine.Default, MvccKey.DataKey(Bytes("g"), bigStart)));
        Assert.Equal(0, CountVersions(store, "d"));

        for (var i = 0; i < readsBefore.Length; i++)
        {
            Assert.Equal(expected[i], await store.ReadAsync("g", readsBefore[i]));
        }

        Assert.Equal("v2", await store.ReadAsync("g", safePoint));
        Assert.Null(await store.ReadAsync("d", safePoint));
        Assert.True(d1 < d2 && cLock < safePoint);
    }

    private static async Task<ulong> CommitAsync(TestStore store, string key, Op op, byte[]? value)
    {
        var t = store.Ts.Next();
        Assert.Empty((await store.PrewriteAsync(t, key, 3000, (op, key, value))).Errors);
        var commitTs = store.Ts.Next();
        Assert.Null((await store.CommitAsync(t, commitTs, key)).Error);
        return commitTs;
    }

    private static int CountVersions(TestStore store, string key)
    {
        var engine = store.Node.Engine;
        var encoded = MvccKey.EncodeKey(Bytes(key));
        var lower = MvccKey.ToDataKey(encoded);
        var upper = MvccKey.ToDataKey(MvccKey.EncodeKey(Bytes(key + "\0")));
        using var it = engine.Db.NewIterator(engine.Write, lower, upper);
        var count = 0;
        for (it.SeekToFirst(); it.Valid; it.Next())
        {
            count++;
        }

        return count;
    }
}
