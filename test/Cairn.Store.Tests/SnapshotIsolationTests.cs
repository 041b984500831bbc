using System.Buffers.Binary;
using Cairn.Rpc;
using Cairn.Rpc.Kvrpcpb;
using Google.Protobuf;
using static Cairn.Store.Tests.TestStore;

namespace Cairn.Store.Tests;

/// <summary>
/// Transfer transactions between accounts run concurrently with readers at many timestamps; every snapshot must
/// see the same total, and the committed transfers must add up exactly.
/// </summary>
public sealed class SnapshotIsolationTests
{
    private const int Accounts = 8;
    private const long Initial = 1000;

    [Fact]
    public async Task Concurrent_transfers_keep_the_total_at_every_snapshot()
    {
        await using var store = await TestStore.StartAsync();
        var keys = Enumerable.Range(0, Accounts).Select(i => $"acct{i:D2}").ToArray();
        await store.PutAsync([.. keys.Select(k => (k, ""))]);
        await InitializeAsync(store, keys);

        var committed = 0;
        var aborted = 0;
        var snapshots = 0;
        var violations = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var n = 0; n < 40; n++)
            {
                while (true)
                {
                    var a = random.Next(Accounts);
                    var b = (a + 1 + random.Next(Accounts - 1)) % Accounts;
                    if (await TryTransferAsync(store, keys[a], keys[b], random.Next(1, 50)))
                    {
                        Interlocked.Increment(ref committed);
                        break;
                    }

                    Interlocked.Increment(ref aborted);
                    await Task.Delay(random.Next(1, 4));
                }
            }
        })).ToArray();

        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var readTs = store.Ts.Next();
                var (total, count) = await ReadTotalAsync(store, keys, readTs, useScan: r == 0);
                if (total != Initial * Accounts || count != Accounts)
                {
                    violations.Add($"at {readTs}: total {total} over {count} accounts");
                }

                Interlocked.Increment(ref snapshots);
            }
        })).ToArray();

        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.Empty(violations);
        Assert.Equal(160, committed);
        Assert.True(snapshots > 0);
        var (finalTotal, finalCount) = await ReadTotalAsync(store, keys, store.Ts.Next(), useScan: true);
        Assert.Equal(Initial * Accounts, finalTotal);
        Assert.Equal(Accounts, finalCount);
        var locks = await store.Channel.Tikv.KvScanLockAsync(new ScanLockRequest { Context = store.Ctx("acct"), MaxVersion = ulong.MaxValue }).ResponseAsync;
        Assert.Empty(locks.Locks);
    }

    private static async Task InitializeAsync(TestStore store, string[] keys)
    {
        var t = store.Ts.Next();
        var prewrite = await store.PrewriteAsync(t, keys[0], 3000, [.. keys.Select(k => (Op.Put, k, (byte[]?)Encode(Initial)))]);
        Assert.Empty(prewrite.Errors);
        Assert.Null((await store.CommitAsync(t, store.Ts.Next(), keys)).Error);
    }

    private static async Task<bool> TryTransferAsync(TestStore store, string from, string to, long amount)
    {
        var startTs = store.Ts.Next();
        var values = new long[2];
        var keys = new[] { from, to };
        for (var i = 0; i < 2; i++)
        {
            var read = await store.GetAsync(keys[i], startTs);
            if (read.Error is not null)
            {
                return false;
            }

            values[i] = Decode(read.Value);
        }

        var prewrite = await store.PrewriteAsync(startTs, from, 3000,
            (Op.Put, from, Encode(values[0] - amount)), (Op.Put, to, Encode(values[1] + amount)));
        if (prewrite.Errors.Count > 0)
        {
            var rollback = await store.Channel.Tikv.KvBatchRollbackAsync(new BatchRollbackRequest { Context = store.Ctx(from), StartVersion = startTs, Keys = { B(from), B(to) } }).ResponseAsync;
            Assert.Null(rollback.Error);
            return false;
        }

        var commitTs = store.Ts.Next();
        // Primary first, then the secondary, as a client commits: readers in between must wait on the secondary's lock.
        Assert.Null((await store.CommitAsync(startTs, commitTs, from)).Error);
        Assert.Null((await store.CommitAsync(startTs, commitTs, to)).Error);
        return true;
    }

    private static async Task<(long Total, int Count)> ReadTotalAsync(TestStore store, string[] keys, ulong readTs, bool useScan)
    {
        while (true)
        {
            IEnumerable<KvPair> pairs;
            KeyError? error;
            if (useScan)
            {
                var scan = await store.Channel.Tikv.KvScanAsync(new ScanRequest { Context = store.Ctx("acct"), StartKey = B("acct"), EndKey = B("acctz"), Version = readTs }).ResponseAsync;
                (pairs, error) = (scan.Pairs, scan.Error);
            }
            else
            {
                var request = new BatchGetRequest { Context = store.Ctx("acct"), Version = readTs };
                request.Keys.AddRange(keys.Select(B));
                var batch = await store.Channel.Tikv.KvBatchGetAsync(request).ResponseAsync;
                (pairs, error) = (batch.Pairs, batch.Error);
            }

            if (error is null)
            {
                var list = pairs.ToList();
                return (list.Sum(p => Decode(p.Value)), list.Count);
            }

            // A transaction that started before readTs holds a lock: its outcome decides what this snapshot sees,
            // so wait for it instead of guessing.
            Assert.NotNull(error.Locked);
            await Task.Delay(1);
        }
    }

    private static byte[] Encode(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private static long Decode(ByteString value) => value.Length == 8 ? BinaryPrimitives.ReadInt64BigEndian(value.Span) : 0;
}
