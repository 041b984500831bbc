using Cairn.Common.Mvcc;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Store.Engine;

namespace Cairn.Store.Txn;

/// <summary>
/// Finding and resolving the locks of transactions whose fate a client has decided: KvScanLock lists them,
/// KvResolveLock commits or rolls them back, on listed keys or across the region in bounded batches.
/// </summary>
internal sealed class LockResolver
{
    private const int ResolveBatchSize = 256;
    private readonly TxnScheduler _scheduler;
    private readonly StoreEngine _engine;

    public LockResolver(TxnScheduler scheduler)
    {
        _scheduler = scheduler;
        _engine = scheduler.Engine;
    }

    /// <summary>KvScanLock: locks with start_ts ≤ max_version in [start_key, end_key) ∩ region.</summary>
    public ScanLockResponse ScanLock(ScanLockRequest request, Region region)
    {
        var response = new ScanLockResponse();
        var limit = ScanBounds.Limit(request.Limit);
        var (lower, upper) = ScanBounds.Clip(request.StartKey.Span, request.EndKey.Span, region);
        var (lowerData, upperData) = MvccKeys.DataRange(lower, upper);
        using var reader = MvccReader.AtSnapshot(_engine);
        using var locks = reader.NewIterator(_engine.Lock, lowerData, upperData);
        for (locks.SeekToFirst(); locks.Valid && response.Locks.Count < limit; locks.Next())
        {
            var lockRecord = LockRecord.Decode(locks.Value);
            if (lockRecord.StartTs <= request.MaxVersion)
            {
                response.Locks.Add(TxnErrors.ToLockInfo(lockRecord, MvccKey.DecodeKey(MvccKeys.UserKeyOfLock(locks.Key))));
            }
        }

        locks.ThrowIfError();
        return response;
    }

    /// <summary>
    /// KvResolveLock: commits (commit_version &gt; 0) or rolls back every lock of start_version (or of each
    /// transaction in txn_infos) in the region, or only on the listed keys.
    /// </summary>
    public async Task<ResolveLockResponse> ResolveLockAsync(ResolveLockRequest request, Region region, CancellationToken cancellationToken)
    {
        var response = new ResolveLockResponse();
        var txns = new Dictionary<ulong, ulong>();
        if (request.TxnInfos.Count > 0)
        {
            foreach (var info in request.TxnInfos)
            {
                txns[info.Txn] = info.Status;
            }
        }
        else
        {
            txns[request.StartVersion] = request.CommitVersion;
        }

        if (request.Keys.Count > 0)
        {
            response.Error = await ResolveKeysAsync([.. request.Keys.Select(k => k.ToByteArray())], txns, strict: true, cancellationToken).ConfigureAwait(false);
            return response;
        }

        var (lower, upper) = MvccKeys.DataRange(region.StartKey.Span, region.EndKey.Span);
        while (true)
        {
            var found = new List<byte[]>();
            using (var reader = MvccReader.AtSnapshot(_engine))
            using (var locks = reader.NewIterator(_engine.Lock, lower, upper))
            {
                for (locks.SeekToFirst(); locks.Valid && found.Count < ResolveBatchSize; locks.Next())
                {
                    if (txns.ContainsKey(LockRecord.Decode(locks.Value).StartTs))
                    {
                        found.Add(MvccKey.DecodeKey(MvccKeys.UserKeyOfLock(locks.Key)));
                    }
                }

                locks.ThrowIfError();
            }

            if (found.Count == 0)
            {
                return response;
            }

            if (await ResolveKeysAsync(found, txns, strict: false, cancellationToken).ConfigureAwait(false) is { } error)
            {
                response.Error = error;
                return response;
            }

            if (found.Count < ResolveBatchSize)
            {
                return response;
            }

            // The resolved locks are gone, so the next pass starts from the region start again and sees only the rest.
        }
    }

    private Task<KeyError?> ResolveKeysAsync(List<byte[]> keys, Dictionary<ulong, ulong> txns, bool strict, CancellationToken cancellationToken) =>
        _scheduler.ExecuteAsync(keys.Select(k => (ReadOnlyMemory<byte>)k), (keys, txns, strict), ResolveKeys, cancellationToken);

    private static KeyError? ResolveKeys((List<byte[]> Keys, Dictionary<ulong, ulong> Txns, bool Strict) state, MvccTxn txn)
    {
        foreach (var key in state.Keys)
        {
            var encoded = MvccKey.EncodeKey(key);
            var lockRecord = txn.Reader.LoadLock(encoded);
            KeyError? error = null;
            if (lockRecord is not null && state.Txns.TryGetValue(lockRecord.StartTs, out var commitTs))
            {
                error = commitTs > 0
                    ? txn.Commit(encoded, key, lockRecord.StartTs, commitTs)
                    : txn.Rollback(encoded, key, lockRecord.StartTs, lockRecord);
            }
            else if (state.Strict)
            {
                // Listed keys without a lock: apply the decision anyway, so a resolve that raced a commit or a
                // rollback reports the conflict and a missing secondary is protected from a late prewrite.
                foreach (var (startTs, status) in state.Txns)
                {
                    error = status > 0
                        ? txn.Commit(encoded, key, startTs, status)
                        : txn.Rollback(encoded, key, startTs, lockRecord);
                    if (error is not null)
                    {
                        break;
                    }
                }
            }

            if (error is not null)
            {
                return txn.Discard(error);
            }
        }

        return null;
    }
}
