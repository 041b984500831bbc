using Cairn.Common.Mvcc;
using Cairn.Rpc.Kvrpcpb;

namespace Cairn.Store.Txn;

/// <summary>
/// The Percolator write commands a client sends for its own transaction or for one it found in its way:
/// prewrite, commit, rollback, cleanup, check-txn-status and check-secondary-locks. Each runs through the
/// <see cref="TxnScheduler"/>; the decisions below only read through and stage into the <see cref="MvccTxn"/>.
/// </summary>
internal sealed class PercolatorCommands
{
    private readonly TxnScheduler _scheduler;

    public PercolatorCommands(TxnScheduler scheduler) => _scheduler = scheduler;

    /// <summary>
    /// KvPrewrite (optimistic): a lock per mutation, values over 64 bytes in the default CF at start_ts. Locks of
    /// other transactions are all reported (KeyIsLocked) and nothing is written; a write conflict, an existing key
    /// for Insert, or a rollback of this transaction fails the command. Re-prewriting the same transaction is a no-op.
    /// </summary>
    public Task<PrewriteResponse> PrewriteAsync(PrewriteRequest request, CancellationToken cancellationToken) =>
        _scheduler.ExecuteAsync(request.Mutations.Select(m => m.Key.Memory), request, Prewrite, cancellationToken);

    /// <summary>
    /// KvCommit: each lock of the transaction becomes a write record at commit_version. Keys already committed by
    /// the transaction succeed again; a key whose lock is gone and that has no commit record fails the command.
    /// </summary>
    public Task<CommitResponse> CommitAsync(CommitRequest request, CancellationToken cancellationToken)
    {
        if (request.CommitVersion <= request.StartVersion)
        {
            return Task.FromResult(new CommitResponse
            {
                Error = TxnErrors.Abort($"commit_version {request.CommitVersion} must be greater than start_version {request.StartVersion}"),
            });
        }

        return _scheduler.ExecuteAsync(request.Keys.Select(k => k.Memory), request, Commit, cancellationToken);
    }

    /// <summary>KvBatchRollback: protected rollback records for every key; a committed key fails the command.</summary>
    public Task<BatchRollbackResponse> BatchRollbackAsync(BatchRollbackRequest request, CancellationToken cancellationToken) =>
        _scheduler.ExecuteAsync(request.Keys.Select(k => k.Memory), request, BatchRollback, cancellationToken);

    /// <summary>
    /// KvCleanup: rolls back the key's lock if it has expired at current_ts (0 = regardless of TTL), answers
    /// KeyIsLocked if it has not, and reports commit_version if the transaction committed the key.
    /// </summary>
    public Task<CleanupResponse> CleanupAsync(CleanupRequest request, CancellationToken cancellationToken) =>
        _scheduler.ExecuteAsync([request.Key.Memory], request, Cleanup, cancellationToken);

    /// <summary>
    /// KvCheckTxnStatus on the primary key: rolls back an expired lock, pushes min_commit_ts past caller_start_ts
    /// for a live one, reports a commit, or (with rollback_if_not_exist) writes a rollback for a missing lock.
    /// </summary>
    public Task<CheckTxnStatusResponse> CheckTxnStatusAsync(CheckTxnStatusRequest request, CancellationToken cancellationToken) =>
        _scheduler.ExecuteAsync([request.PrimaryKey.Memory], request, CheckTxnStatus, cancellationToken);

    /// <summary>
    /// KvCheckSecondaryLocks: the locks of the transaction on the keys when all are still locked; otherwise
    /// commit_ts when one key is committed, or nothing (rolled back) after writing rollbacks for missing locks.
    /// </summary>
    public Task<CheckSecondaryLocksResponse> CheckSecondaryLocksAsync(CheckSecondaryLocksRequest request, CancellationToken cancellationToken) =>
        _scheduler.ExecuteAsync(request.Keys.Select(k => k.Memory), request, CheckSecondaryLocks, cancellationToken);

    private static PrewriteResponse Prewrite(PrewriteRequest request, MvccTxn txn)
    {
        var response = new PrewriteResponse();
        var startTs = request.StartVersion;
        var reader = txn.Reader;
        foreach (var mutation in request.Mutations)
        {
            var rawKey = mutation.Key.Span;
            var encoded = MvccKey.EncodeKey(rawKey);
            if (reader.LoadLock(encoded) is { } existing)
            {
                if (existing.StartTs != startTs)
                {
                    response.Errors.Add(TxnErrors.Locked(existing, rawKey));
                }

                // Our own lock: the prewrite is being retried.
                continue;
            }

            if (reader.SeekWrite(encoded, ulong.MaxValue, out var newestCommitTs, out var newest) && newestCommitTs >= startTs)
            {
                var state = reader.GetTxnCommitState(encoded, startTs);
                if (state.Kind == TxnCommitKind.Committed)
                {
                    continue;
                }

                var reason = state.Kind == TxnCommitKind.RolledBack
                    ? WriteConflict.Types.Reason.SelfRolledBack
                    : WriteConflict.Types.Reason.Optimistic;
                return Fail(txn, response, TxnErrors.WriteConflict(startTs, newest.StartTs, newestCommitTs, rawKey, request.PrimaryLock, reason));
            }

            if (mutation.Op is Op.Insert or Op.CheckNotExists && reader.KeyExists(encoded))
            {
                return Fail(txn, response, TxnErrors.AlreadyExist(rawKey));
            }

            LockType type;
            switch (mutation.Op)
            {
                case Op.Put:
                case Op.Insert:
                    type = LockType.Put;
                    break;
                case Op.Del:
                    type = LockType.Delete;
                    break;
                case Op.Lock:
                    type = LockType.Lock;
                    break;
                case Op.CheckNotExists:
                    continue;
                default:
                    return Fail(txn, response, TxnErrors.Abort($"mutation op {mutation.Op} is not supported by prewrite"));
            }

            byte[]? shortValue = null;
            if (type == LockType.Put)
            {
                if (mutation.Value.Length <= WriteRecord.ShortValueMaxLength)
                {
                    shortValue = mutation.Value.ToByteArray();
                }
                else
                {
                    txn.PutValue(encoded, startTs, mutation.Value.Span);
                }
            }

            txn.PutLock(encoded, new LockRecord
            {
                Type = type,
                Primary = request.PrimaryLock.ToByteArray(),
                StartTs = startTs,
                Ttl = request.LockTtl,
                ShortValue = shortValue,
                TxnSize = request.TxnSize,
                MinCommitTs = request.MinCommitTs,
            });
        }

        // Locks of other transactions: report them all so the client resolves them in one round, and write nothing.
        return response.Errors.Count > 0 ? txn.Discard(response) : response;

        static PrewriteResponse Fail(MvccTxn txn, PrewriteResponse response, KeyError error)
        {
            response.Errors.Clear();
            response.Errors.Add(error);
            return txn.Discard(response);
        }
    }

    private static CommitResponse Commit(CommitRequest request, MvccTxn txn)
    {
        var response = new CommitResponse();
        foreach (var key in request.Keys)
        {
            if (txn.Commit(MvccKey.EncodeKey(key.Span), key.Span, request.StartVersion, request.CommitVersion) is { } error)
            {
                response.Error = error;
                return txn.Discard(response);
            }
        }

        return response;
    }

    private static BatchRollbackResponse BatchRollback(BatchRollbackRequest request, MvccTxn txn)
    {
        var response = new BatchRollbackResponse();
        foreach (var key in request.Keys)
        {
            if (txn.Rollback(MvccKey.EncodeKey(key.Span), key.Span, request.StartVersion, null) is { } error)
            {
                response.Error = error;
                return txn.Discard(response);
            }
        }

        return response;
    }

    private static CleanupResponse Cleanup(CleanupRequest request, MvccTxn txn)
    {
        var response = new CleanupResponse();
        var encoded = MvccKey.EncodeKey(request.Key.Span);
        var lockRecord = txn.Reader.LoadLock(encoded);
        if (lockRecord is not null && lockRecord.StartTs == request.StartVersion)
        {
            if (request.CurrentTs != 0 && !LockVisibility.IsExpired(lockRecord, request.CurrentTs))
            {
                response.Error = TxnErrors.Locked(lockRecord, request.Key.Span);
                return txn.Discard(response);
            }
        }
        else
        {
            var state = txn.Reader.GetTxnCommitState(encoded, request.StartVersion);
            if (state.Kind == TxnCommitKind.Committed)
            {
                response.CommitVersion = state.CommitTs;
                return txn.Discard(response);
            }
        }

        if (txn.Rollback(encoded, request.Key.Span, request.StartVersion, lockRecord) is { } error)
        {
            response.Error = error;
            return txn.Discard(response);
        }

        return response;
    }

    private static CheckTxnStatusResponse CheckTxnStatus(CheckTxnStatusRequest request, MvccTxn txn)
    {
        var response = new CheckTxnStatusResponse { Action = Rpc.Kvrpcpb.Action.NoAction };
        var rawKey = request.PrimaryKey.Span;
        var encoded = MvccKey.EncodeKey(rawKey);
        var lockRecord = txn.Reader.LoadLock(encoded);
        if (lockRecord is not null && lockRecord.StartTs == request.LockTs)
        {
            if (LockVisibility.IsExpired(lockRecord, request.CurrentTs))
            {
                txn.Rollback(encoded, rawKey, request.LockTs, lockRecord);
                response.Action = Rpc.Kvrpcpb.Action.TtlexpireRollback;
            }
            else
            {
                if (request.CallerStartTs != 0 && request.CallerStartTs != ulong.MaxValue && !lockRecord.UseAsyncCommit
                    && lockRecord.Type != LockType.Pessimistic && lockRecord.MinCommitTs <= request.CallerStartTs)
                {
                    // Pushing min_commit_ts lets the caller read at caller_start_ts without waiting for this transaction.
                    lockRecord = WithMinCommitTs(lockRecord, request.CallerStartTs + 1);
                    txn.PutLock(encoded, lockRecord);
                    response.Action = Rpc.Kvrpcpb.Action.MinCommitTspushed;
                }

                response.LockTtl = lockRecord.Ttl;
                response.LockInfo = TxnErrors.ToLockInfo(lockRecord, rawKey);
            }

            return response;
        }

        var state = txn.Reader.GetTxnCommitState(encoded, request.LockTs);
        switch (state.Kind)
        {
            case TxnCommitKind.Committed:
                response.CommitVersion = state.CommitTs;
                break;
            case TxnCommitKind.RolledBack:
                break;
            default:
                if (!request.RollbackIfNotExist)
                {
                    response.Error = TxnErrors.TxnNotFound(request.LockTs, request.PrimaryKey);
                    return txn.Discard(response);
                }

                txn.WriteRollbackRecord(encoded, request.LockTs);
                response.Action = Rpc.Kvrpcpb.Action.LockNotExistRollback;
                break;
        }

        return response;
    }

    private static CheckSecondaryLocksResponse CheckSecondaryLocks(CheckSecondaryLocksRequest request, MvccTxn txn)
    {
        var response = new CheckSecondaryLocksResponse();
        var rolledBack = false;
        foreach (var key in request.Keys)
        {
            var encoded = MvccKey.EncodeKey(key.Span);
            var lockRecord = txn.Reader.LoadLock(encoded);
            if (lockRecord is not null && lockRecord.StartTs == request.StartVersion)
            {
                response.Locks.Add(TxnErrors.ToLockInfo(lockRecord, key.Span));
                continue;
            }

            var state = txn.Reader.GetTxnCommitState(encoded, request.StartVersion);
            if (state.Kind == TxnCommitKind.Committed)
            {
                response.Locks.Clear();
                response.CommitTs = state.CommitTs;
                return txn.Discard(response);
            }

            if (state.Kind == TxnCommitKind.None)
            {
                // Make sure a late prewrite of this secondary can never succeed.
                txn.WriteRollbackRecord(encoded, request.StartVersion);
            }

            rolledBack = true;
        }

        if (rolledBack)
        {
            response.Locks.Clear();
        }

        return response;
    }

    private static LockRecord WithMinCommitTs(LockRecord source, ulong minCommitTs) => new()
    {
        Type = source.Type,
        Primary = source.Primary,
        StartTs = source.StartTs,
        Ttl = source.Ttl,
        ShortValue = source.ShortValue,
        ForUpdateTs = source.ForUpdateTs,
        TxnSize = source.TxnSize,
        MinCommitTs = minCommitTs,
        UseAsyncCommit = source.UseAsyncCommit,
        Secondaries = source.Secondaries,
        RollbackTs = source.RollbackTs,
        LastChangeTs = source.LastChangeTs,
        VersionsToLastChange = source.VersionsToLastChange,
        TxnSource = source.TxnSource,
        IsLockedWithConflict = source.IsLockedWithConflict,
        Generation = source.Generation,
    };
}
