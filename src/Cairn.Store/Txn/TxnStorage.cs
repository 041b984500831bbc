using Cairn.Common;
using Cairn.Common.Mvcc;
using Cairn.RocksDb;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Store.Engine;
using Google.Protobuf;

namespace Cairn.Store.Txn;

/// <summary>
/// Percolator transactions on the store's engine, as TiKV implements them. Reads run at a RocksDB snapshot. Write
/// commands hold the latches of their keys while they read the latest state, decide, and apply one atomic
/// <see cref="WriteBatch"/>; a command that fails writes nothing. Region and key-range checks happen before these
/// methods are called; scans are clipped to the region passed in.
/// </summary>
public sealed class TxnStorage
{
    private const int ResolveBatchSize = 256;
    private const int GcBatchSize = 1024;
    private readonly StoreEngine _engine;
    private readonly Latches _latches;

    /// <summary>Creates the transactional layer over <paramref name="engine"/>.</summary>
    public TxnStorage(StoreEngine engine, Latches latches)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(latches);
        _engine = engine;
        _latches = latches;
    }

    // ---------------------------------------------------------------- reads

    /// <summary>KvGet: the value visible at <c>version</c>, or KeyIsLocked.</summary>
    public GetResponse Get(GetRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new GetResponse();
        var encoded = MvccKey.EncodeKey(request.Key.Span);
        using var reader = MvccReader.AtSnapshot(_engine);
        if (reader.LoadLock(encoded) is { } lockRecord && BlocksRead(lockRecord, request.Key.Span, request.Version, request.Context))
        {
            response.Error = TxnErrors.Locked(lockRecord, request.Key.Span);
            return response;
        }

        if (reader.TryGetValue(encoded, request.Version, out var value, out var commitTs))
        {
            response.Value = UnsafeByteOperations.UnsafeWrap(value);
            if (request.NeedCommitTs)
            {
                response.CommitTs = commitTs;
            }
        }
        else
        {
            response.NotFound = true;
        }

        return response;
    }

    /// <summary>KvBatchGet: found pairs only; a blocking lock fails the whole read.</summary>
    public BatchGetResponse BatchGet(BatchGetRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new BatchGetResponse();
        using var reader = MvccReader.AtSnapshot(_engine);
        foreach (var key in request.Keys)
        {
            var encoded = MvccKey.EncodeKey(key.Span);
            if (reader.LoadLock(encoded) is { } lockRecord && BlocksRead(lockRecord, key.Span, request.Version, request.Context))
            {
                response.Pairs.Clear();
                response.Error = TxnErrors.Locked(lockRecord, key.Span);
                return response;
            }

            if (reader.TryGetValue(encoded, request.Version, out var value, out var commitTs))
            {
                response.Pairs.Add(new KvPair
                {
                    Key = key,
                    Value = UnsafeByteOperations.UnsafeWrap(value),
                    CommitTs = request.NeedCommitTs ? commitTs : 0,
                });
            }
        }

        return response;
    }

    /// <summary>
    /// KvScan at <c>version</c>, clipped to <paramref name="region"/>. Forward scans cover [start_key, end_key);
    /// reverse scans cover [end_key, start_key) downward. A blocking lock stops the scan with an error and no pairs.
    /// A limit of 0 means no limit (clients always set one; the whole region is then the bound).
    /// </summary>
    public ScanResponse Scan(ScanRequest request, Region region)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(region);
        var response = new ScanResponse();
        var limit = request.Limit == 0 ? int.MaxValue : (int)Math.Min(request.Limit, int.MaxValue);
        var (lower, upper) = request.Reverse
            ? ClipEncoded(request.EndKey.Span, request.StartKey.Span, region)
            : ClipEncoded(request.StartKey.Span, request.EndKey.Span, region);
        if (upper.Length != 0 && lower.AsSpan().SequenceCompareTo(upper) >= 0)
        {
            return response;
        }

        var (lowerData, upperData) = MvccKeys.DataRange(lower, upper);
        using var reader = MvccReader.AtSnapshot(_engine);
        using var writes = reader.NewIterator(_engine.Write, lowerData, upperData);
        using var locks = reader.NewIterator(_engine.Lock, lowerData, upperData);
        var forward = !request.Reverse;
        if (forward)
        {
            writes.SeekToFirst();
            locks.SeekToFirst();
        }
        else
        {
            writes.SeekToLast();
            locks.SeekToLast();
        }

        while (response.Pairs.Count < limit)
        {
            var hasWrite = writes.Valid;
            var hasLock = locks.Valid;
            if (!hasWrite && !hasLock)
            {
                break;
            }

            byte[] current;
            if (hasWrite && hasLock)
            {
                var w = MvccKeys.UserKeyOfVersioned(writes.Key);
                var l = MvccKeys.UserKeyOfLock(locks.Key);
                var order = w.SequenceCompareTo(l);
                current = (forward ? order <= 0 : order >= 0) ? w.ToArray() : l.ToArray();
            }
            else
            {
                current = hasWrite ? MvccKeys.UserKeyOfVersioned(writes.Key).ToArray() : MvccKeys.UserKeyOfLock(locks.Key).ToArray();
            }

            byte[]? rawKey = null;
            if (hasLock && MvccKeys.UserKeyOfLock(locks.Key).SequenceEqual(current))
            {
                var lockRecord = LockRecord.Decode(locks.Value);
                rawKey = MvccKey.DecodeKey(current);
                if (BlocksRead(lockRecord, rawKey, request.Version, request.Context))
                {
                    response.Pairs.Clear();
                    response.Error = TxnErrors.Locked(lockRecord, rawKey);
                    return response;
                }

                Step(locks, forward);
            }

            if (hasWrite && MvccKeys.UserKeyOfVersioned(writes.Key).SequenceEqual(current))
            {
                // Forward, the iterator already stands on the key's newest version: read in place. Reverse, it
                // stands on the oldest, so look the visible version up with a seek.
                var found = forward
                    ? TryReadInPlace(reader, writes, current, request.Version, out var value)
                    : reader.TryGetValue(current, request.Version, out value, out _);
                if (found)
                {
                    response.Pairs.Add(new KvPair
                    {
                        Key = UnsafeByteOperations.UnsafeWrap(rawKey ?? MvccKey.DecodeKey(current)),
                        Value = request.KeyOnly ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(value),
                    });
                }

                // Skip the remaining versions of this key; forward, a long history is jumped over with one seek to
                // the key's last possible version (ts 0).
                var skipped = 0;
                while (writes.Valid && MvccKeys.IsVersionOf(writes.Key, current))
                {
                    if (forward && ++skipped == 8)
                    {
                        writes.Seek(MvccKeys.Versioned(current, 0));
                        continue;
                    }

                    Step(writes, forward);
                }
            }
        }

        writes.ThrowIfError();
        locks.ThrowIfError();
        return response;
    }

    /// <summary>KvScanLock: locks with start_ts ≤ max_version in [start_key, end_key) ∩ region.</summary>
    public ScanLockResponse ScanLock(ScanLockRequest request, Region region)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(region);
        var response = new ScanLockResponse();
        var limit = request.Limit == 0 ? int.MaxValue : (int)Math.Min(request.Limit, int.MaxValue);
        var (lower, upper) = ClipEncoded(request.StartKey.Span, request.EndKey.Span, region);
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

    // ---------------------------------------------------------------- writes

    /// <summary>
    /// KvPrewrite (optimistic): a lock per mutation, values over 64 bytes in the default CF at start_ts. Locks of
    /// other transactions are all reported (KeyIsLocked) and nothing is written; a write conflict, an existing key
    /// for Insert, or a rollback of this transaction fails the command. Re-prewriting the same transaction is a no-op.
    /// </summary>
    public async Task<PrewriteResponse> PrewriteAsync(PrewriteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new PrewriteResponse();
        var startTs = request.StartVersion;
        using var guard = await _latches.AcquireAsync(request.Mutations.Select(m => m.Key.Memory), cancellationToken).ConfigureAwait(false);
        using var reader = MvccReader.Latest(_engine);
        using var batch = new WriteBatch();
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
                    ? Rpc.Kvrpcpb.WriteConflict.Types.Reason.SelfRolledBack
                    : Rpc.Kvrpcpb.WriteConflict.Types.Reason.Optimistic;
                return Fail(response, TxnErrors.WriteConflict(startTs, newest.StartTs, newestCommitTs, rawKey, request.PrimaryLock, reason));
            }

            if (mutation.Op is Op.Insert or Op.CheckNotExists && reader.KeyExists(encoded))
            {
                return Fail(response, TxnErrors.AlreadyExist(rawKey));
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
                    return Fail(response, TxnErrors.Abort($"mutation op {mutation.Op} is not supported by prewrite"));
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
                    batch.Put(_engine.Default, MvccKeys.Versioned(encoded, startTs), mutation.Value.Span);
                }
            }

            var lockRecord = new LockRecord
            {
                Type = type,
                Primary = request.PrimaryLock.ToByteArray(),
                StartTs = startTs,
                Ttl = request.LockTtl,
                ShortValue = shortValue,
                TxnSize = request.TxnSize,
                MinCommitTs = request.MinCommitTs,
            };
            batch.Put(_engine.Lock, MvccKeys.Lock(encoded), lockRecord.ToBytes());
        }

        if (response.Errors.Count == 0 && batch.Count > 0)
        {
            _engine.WriteData(batch);
        }

        return response;

        static PrewriteResponse Fail(PrewriteResponse response, KeyError error)
        {
            response.Errors.Clear();
            response.Errors.Add(error);
            return response;
        }
    }

    /// <summary>
    /// KvCommit: each lock of the transaction becomes a write record at commit_version. Keys already committed by
    /// the transaction succeed again; a key whose lock is gone and that has no commit record fails the command.
    /// </summary>
    public async Task<CommitResponse> CommitAsync(CommitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new CommitResponse();
        if (request.CommitVersion <= request.StartVersion)
        {
            response.Error = TxnErrors.Abort($"commit_version {request.CommitVersion} must be greater than start_version {request.StartVersion}");
            return response;
        }

        using var guard = await _latches.AcquireAsync(request.Keys.Select(k => k.Memory), cancellationToken).ConfigureAwait(false);
        using var reader = MvccReader.Latest(_engine);
        using var batch = new WriteBatch();
        foreach (var key in request.Keys)
        {
            var encoded = MvccKey.EncodeKey(key.Span);
            if (Commit(reader, batch, encoded, key.Span, request.StartVersion, request.CommitVersion) is { } error)
            {
                response.Error = error;
                return response;
            }
        }

        if (batch.Count > 0)
        {
            _engine.WriteData(batch);
        }

        return response;
    }

    /// <summary>KvBatchRollback: protected rollback records for every key; a committed key fails the command.</summary>
    public async Task<BatchRollbackResponse> BatchRollbackAsync(BatchRollbackRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new BatchRollbackResponse();
        using var guard = await _latches.AcquireAsync(request.Keys.Select(k => k.Memory), cancellationToken).ConfigureAwait(false);
        using var reader = MvccReader.Latest(_engine);
        using var batch = new WriteBatch();
        foreach (var key in request.Keys)
        {
            if (Rollback(reader, batch, MvccKey.EncodeKey(key.Span), key.Span, request.StartVersion, null) is { } error)
            {
                response.Error = error;
                return response;
            }
        }

        if (batch.Count > 0)
        {
            _engine.WriteData(batch);
        }

        return response;
    }

    /// <summary>
    /// KvCleanup: rolls back the key's lock if it has expired at current_ts (0 = regardless of TTL), answers
    /// KeyIsLocked if it has not, and reports commit_version if the transaction committed the key.
    /// </summary>
    public async Task<CleanupResponse> CleanupAsync(CleanupRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new CleanupResponse();
        using var guard = await _latches.AcquireAsync([request.Key.Memory], cancellationToken).ConfigureAwait(false);
        using var reader = MvccReader.Latest(_engine);
        using var batch = new WriteBatch();
        var encoded = MvccKey.EncodeKey(request.Key.Span);
        var lockRecord = reader.LoadLock(encoded);
        if (lockRecord is not null && lockRecord.StartTs == request.StartVersion)
        {
            if (request.CurrentTs != 0 && !IsExpired(lockRecord, request.CurrentTs))
            {
                response.Error = TxnErrors.Locked(lockRecord, request.Key.Span);
                return response;
            }
        }
        else
        {
            var state = reader.GetTxnCommitState(encoded, request.StartVersion);
            if (state.Kind == TxnCommitKind.Committed)
            {
                response.CommitVersion = state.CommitTs;
                return response;
            }
        }

        if (Rollback(reader, batch, encoded, request.Key.Span, request.StartVersion, lockRecord) is { } error)
        {
            response.Error = error;
            return response;
        }

        if (batch.Count > 0)
        {
            _engine.WriteData(batch);
        }

        return response;
    }

    /// <summary>
    /// KvCheckTxnStatus on the primary key: rolls back an expired lock, pushes min_commit_ts past caller_start_ts
    /// for a live one, reports a commit, or (with rollback_if_not_exist) writes a rollback for a missing lock.
    /// </summary>
    public async Task<CheckTxnStatusResponse> CheckTxnStatusAsync(CheckTxnStatusRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new CheckTxnStatusResponse { Action = Rpc.Kvrpcpb.Action.NoAction };
        using var guard = await _latches.AcquireAsync([request.PrimaryKey.Memory], cancellationToken).ConfigureAwait(false);
        return CheckTxnStatusLatched(request, response);
    }

    private CheckTxnStatusResponse CheckTxnStatusLatched(CheckTxnStatusRequest request, CheckTxnStatusResponse response)
    {
        var rawKey = request.PrimaryKey.Span;
        using var reader = MvccReader.Latest(_engine);
        using var batch = new WriteBatch();
        var encoded = MvccKey.EncodeKey(rawKey);
        var lockRecord = reader.LoadLock(encoded);
        if (lockRecord is not null && lockRecord.StartTs == request.LockTs)
        {
            if (IsExpired(lockRecord, request.CurrentTs))
            {
                Rollback(reader, batch, encoded, rawKey, request.LockTs, lockRecord);
                response.Action = Rpc.Kvrpcpb.Action.TtlexpireRollback;
            }
            else
            {
                if (request.CallerStartTs != 0 && request.CallerStartTs != ulong.MaxValue && !lockRecord.UseAsyncCommit
                    && lockRecord.Type != LockType.Pessimistic && lockRecord.MinCommitTs <= request.CallerStartTs)
                {
                    // Pushing min_commit_ts lets the caller read at caller_start_ts without waiting for this transaction.
                    lockRecord = WithMinCommitTs(lockRecord, request.CallerStartTs + 1);
                    batch.Put(_engine.Lock, MvccKeys.Lock(encoded), lockRecord.ToBytes());
                    response.Action = Rpc.Kvrpcpb.Action.MinCommitTspushed;
                }

                response.LockTtl = lockRecord.Ttl;
                response.LockInfo = TxnErrors.ToLockInfo(lockRecord, rawKey);
            }
        }
        else
        {
            var state = reader.GetTxnCommitState(encoded, request.LockTs);
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
                        return response;
                    }

                    WriteRollbackRecord(reader, batch, encoded, request.LockTs);
                    response.Action = Rpc.Kvrpcpb.Action.LockNotExistRollback;
                    break;
            }
        }

        if (batch.Count > 0)
        {
            _engine.WriteData(batch);
        }

        return response;
    }

    /// <summary>
    /// KvCheckSecondaryLocks: the locks of the transaction on the keys when all are still locked; otherwise
    /// commit_ts when one key is committed, or nothing (rolled back) after writing rollbacks for missing locks.
    /// </summary>
    public async Task<CheckSecondaryLocksResponse> CheckSecondaryLocksAsync(CheckSecondaryLocksRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new CheckSecondaryLocksResponse();
        using var guard = await _latches.AcquireAsync(request.Keys.Select(k => k.Memory), cancellationToken).ConfigureAwait(false);
        using var reader = MvccReader.Latest(_engine);
        using var batch = new WriteBatch();
        var rolledBack = false;
        foreach (var key in request.Keys)
        {
            var encoded = MvccKey.EncodeKey(key.Span);
            var lockRecord = reader.LoadLock(encoded);
            if (lockRecord is not null && lockRecord.StartTs == request.StartVersion)
            {
                response.Locks.Add(TxnErrors.ToLockInfo(lockRecord, key.Span));
                continue;
            }

            var state = reader.GetTxnCommitState(encoded, request.StartVersion);
            if (state.Kind == TxnCommitKind.Committed)
            {
                response.Locks.Clear();
                response.CommitTs = state.CommitTs;
                return response;
            }

            if (state.Kind == TxnCommitKind.None)
            {
                // Make sure a late prewrite of this secondary can never succeed.
                WriteRollbackRecord(reader, batch, encoded, request.StartVersion);
            }

            rolledBack = true;
        }

        if (rolledBack)
        {
            response.Locks.Clear();
        }

        if (batch.Count > 0)
        {
            _engine.WriteData(batch);
        }

        return response;
    }

    /// <summary>
    /// KvResolveLock: commits (commit_version &gt; 0) or rolls back every lock of start_version (or of each
    /// transaction in txn_infos) in the region, or only on the listed keys.
    /// </summary>
    public async Task<ResolveLockResponse> ResolveLockAsync(ResolveLockRequest request, Region region, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(region);
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

    /// <summary>
    /// KvGC: for every key in the region, drops what no read at ts ≥ safe_point can see: every version older than the
    /// newest Put/Delete at or below the safepoint, that version itself when it is a Delete, Lock and Rollback records
    /// at or below it, and the default-CF values of dropped Puts.
    /// </summary>
    public GCResponse Gc(GCRequest request, Region region)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(region);
        var safePoint = request.SafePoint;
        var (lower, upper) = MvccKeys.DataRange(region.StartKey.Span, region.EndKey.Span);
        using var reader = MvccReader.AtSnapshot(_engine);
        using var writes = reader.NewIterator(_engine.Write, lower, upper);
        var batch = new WriteBatch();
        try
        {
            byte[]? currentKey = null;
            var sawLatest = false;
            for (writes.SeekToFirst(); writes.Valid; writes.Next())
            {
                var dataKey = writes.Key;
                var userKey = MvccKeys.UserKeyOfVersioned(dataKey);
                if (currentKey is null || !userKey.SequenceEqual(currentKey))
                {
                    currentKey = userKey.ToArray();
                    sawLatest = false;
                }

                var commitTs = MvccKey.DecodeTs(dataKey);
                if (commitTs > safePoint)
                {
                    continue;
                }

                var view = WriteRecordView.Parse(writes.Value);
                var drop = true;
                if (!sawLatest)
                {
                    switch (view.Type)
                    {
                        case WriteType.Put:
                            sawLatest = true;
                            drop = false;
                            break;
                        case WriteType.Delete:
                            sawLatest = true;
                            break;
                    }
                }

                if (!drop)
                {
                    continue;
                }

                batch.Delete(_engine.Write, dataKey);
                if (view.Type == WriteType.Put && !view.HasShortValue)
                {
                    batch.Delete(_engine.Default, MvccKeys.Versioned(currentKey, view.StartTs));
                }

                if (batch.Count >= GcBatchSize)
                {
                    _engine.WriteData(batch);
                    batch.Dispose();
                    batch = new WriteBatch();
                }
            }

            writes.ThrowIfError();
            if (batch.Count > 0)
            {
                _engine.WriteData(batch);
            }
        }
        finally
        {
            batch.Dispose();
        }

        return new GCResponse();
    }

    /// <summary>KvDeleteRange: deletes every CF's data in [start_key, end_key) ∩ region (notify_only does nothing).</summary>
    public DeleteRangeResponse DeleteRange(DeleteRangeRequest request, Region region)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(region);
        if (request.NotifyOnly)
        {
            return new DeleteRangeResponse();
        }

        var (lowerEncoded, upperEncoded) = ClipEncoded(request.StartKey.Span, request.EndKey.Span, region);
        var (lower, upper) = MvccKeys.DataRange(lowerEncoded, upperEncoded);
        if (lower.AsSpan().SequenceCompareTo(upper) >= 0)
        {
            return new DeleteRangeResponse();
        }

        using var batch = new WriteBatch();
        batch.DeleteRange(_engine.Default, lower, upper);
        batch.DeleteRange(_engine.Write, lower, upper);
        batch.DeleteRange(_engine.Lock, lower, upper);
        _engine.WriteData(batch);
        return new DeleteRangeResponse();
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>
    /// Whether a lock hides the key from a read at <paramref name="readTs"/>, as TiKV decides: locks newer than
    /// the read, lock-only and pessimistic locks, locks the client has resolved, and locks whose min_commit_ts is
    /// past the read (the commit will land after it) do not block.
    /// </summary>
    private static bool BlocksRead(LockRecord lockRecord, ReadOnlySpan<byte> rawKey, ulong readTs, Context? context)
    {
        if (lockRecord.StartTs > readTs || lockRecord.Type is LockType.Lock or LockType.Pessimistic)
        {
            return false;
        }

        if (lockRecord.MinCommitTs > readTs)
        {
            return false;
        }

        if (readTs == ulong.MaxValue && rawKey.SequenceEqual(lockRecord.Primary))
        {
            // Reading the latest version of a primary key ignores its own lock, as TiKV does.
            return false;
        }

        return context is null || !context.ResolvedLocks.Contains(lockRecord.StartTs);
    }

    private static bool IsExpired(LockRecord lockRecord, ulong currentTs) =>
        Tso.Physical(lockRecord.StartTs) + (long)Math.Min(lockRecord.Ttl, long.MaxValue / 2) < Tso.Physical(currentTs);

    private async Task<KeyError?> ResolveKeysAsync(List<byte[]> keys, Dictionary<ulong, ulong> txns, bool strict, CancellationToken cancellationToken)
    {
        using var guard = await _latches.AcquireAsync(keys.Select(k => (ReadOnlyMemory<byte>)k), cancellationToken).ConfigureAwait(false);
        using var reader = MvccReader.Latest(_engine);
        using var batch = new WriteBatch();
        foreach (var key in keys)
        {
            var encoded = MvccKey.EncodeKey(key);
            var lockRecord = reader.LoadLock(encoded);
            KeyError? error = null;
            if (lockRecord is not null && txns.TryGetValue(lockRecord.StartTs, out var commitTs))
            {
                error = commitTs > 0
                    ? Commit(reader, batch, encoded, key, lockRecord.StartTs, commitTs)
                    : Rollback(reader, batch, encoded, key, lockRecord.StartTs, lockRecord);
            }
            else if (strict)
            {
                // Listed keys without a lock: apply the decision anyway, so a resolve that raced a commit or a
                // rollback reports the conflict and a missing secondary is protected from a late prewrite.
                foreach (var (startTs, status) in txns)
                {
                    error = status > 0
                        ? Commit(reader, batch, encoded, key, startTs, status)
                        : Rollback(reader, batch, encoded, key, startTs, lockRecord);
                    if (error is not null)
                    {
                        break;
                    }
                }
            }

            if (error is not null)
            {
                return error;
            }
        }

        if (batch.Count > 0)
        {
            _engine.WriteData(batch);
        }

        return null;
    }

    private KeyError? Commit(MvccReader reader, WriteBatch batch, byte[] encoded, ReadOnlySpan<byte> rawKey, ulong startTs, ulong commitTs)
    {
        var lockRecord = reader.LoadLock(encoded);
        if (lockRecord is null || lockRecord.StartTs != startTs)
        {
            var state = reader.GetTxnCommitState(encoded, startTs);
            return state.Kind == TxnCommitKind.Committed ? null : TxnErrors.TxnLockNotFound(startTs, commitTs, rawKey);
        }

        if (commitTs < lockRecord.MinCommitTs)
        {
            return TxnErrors.CommitTsExpired(startTs, commitTs, rawKey, lockRecord.MinCommitTs);
        }

        var type = lockRecord.Type switch
        {
            LockType.Put => WriteType.Put,
            LockType.Delete => WriteType.Delete,
            LockType.Lock => WriteType.Lock,
            _ => (WriteType)0,
        };
        if (type == 0)
        {
            return TxnErrors.Abort($"lock of type {lockRecord.Type} on key {Convert.ToHexString(rawKey)} cannot be committed");
        }

        // A rollback of another transaction whose start_ts equals our commit_ts sits where our record goes: keep
        // its protection as the overlapped-rollback flag, as TiKV does.
        var overlapped = reader.GetWriteAt(encoded, commitTs) is { Type: WriteType.Rollback };
        var write = new WriteRecord(type, startTs, lockRecord.ShortValue) { HasOverlappedRollback = overlapped };
        batch.Put(_engine.Write, MvccKeys.Versioned(encoded, commitTs), write.ToBytes());
        batch.Delete(_engine.Lock, MvccKeys.Lock(encoded));
        return null;
    }

    private KeyError? Rollback(MvccReader reader, WriteBatch batch, byte[] encoded, ReadOnlySpan<byte> rawKey, ulong startTs, LockRecord? lockRecord)
    {
        lockRecord ??= reader.LoadLock(encoded);
        if (lockRecord is not null && lockRecord.StartTs == startTs)
        {
            if (lockRecord.Type == LockType.Put && lockRecord.ShortValue is null)
            {
                batch.Delete(_engine.Default, MvccKeys.Versioned(encoded, startTs));
            }

            batch.Delete(_engine.Lock, MvccKeys.Lock(encoded));
            WriteRollbackRecord(reader, batch, encoded, startTs);
            return null;
        }

        var state = reader.GetTxnCommitState(encoded, startTs);
        switch (state.Kind)
        {
            case TxnCommitKind.Committed:
                return TxnErrors.Committed(startTs, state.CommitTs, rawKey);
            case TxnCommitKind.RolledBack:
                return null;
            default:
                WriteRollbackRecord(reader, batch, encoded, startTs);
                return null;
        }
    }

    // A protected rollback at start_ts; if another transaction committed exactly at that ts, its record is kept
    // and flagged instead of overwritten.
    private void WriteRollbackRecord(MvccReader reader, WriteBatch batch, byte[] encoded, ulong startTs)
    {
        var key = MvccKeys.Versioned(encoded, startTs);
        if (reader.GetWriteAt(encoded, startTs) is { } existing)
        {
            if (existing.Type != WriteType.Rollback && !existing.HasOverlappedRollback)
            {
                batch.Put(_engine.Write, key, (existing with { HasOverlappedRollback = true }).ToBytes());
            }

            return;
        }

        batch.Put(_engine.Write, key, WriteRecord.Rollback(startTs, isProtected: true).ToBytes());
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

    /// <summary>
    /// Finds the version of <paramref name="encoded"/> visible at <paramref name="readTs"/> by stepping forward
    /// from the key's newest version, seeking once when many newer versions stand in the way.
    /// </summary>
    private static bool TryReadInPlace(MvccReader reader, RocksDbIterator writes, byte[] encoded, ulong readTs, out byte[] value)
    {
        const int StepsBeforeSeek = 8;
        var steps = 0;
        while (writes.Valid && MvccKeys.IsVersionOf(writes.Key, encoded))
        {
            var commitTs = MvccKey.DecodeTs(writes.Key);
            if (commitTs > readTs)
            {
                if (++steps == StepsBeforeSeek)
                {
                    writes.Seek(MvccKeys.Versioned(encoded, readTs));
                }
                else
                {
                    writes.Next();
                }

                continue;
            }

            var view = WriteRecordView.Parse(writes.Value);
            switch (view.Type)
            {
                case WriteType.Put:
                    value = view.HasShortValue
                        ? view.ShortValue.ToArray()
                        : reader.LoadDefault(encoded, view.StartTs) ?? throw new InvalidDataException(
                            $"default CF value of key {Convert.ToHexString(encoded)} at start_ts {view.StartTs} is missing");
                    return true;
                case WriteType.Delete:
                    value = [];
                    return false;
                default:
                    writes.Next();
                    break;
            }
        }

        value = [];
        return false;
    }

    private static void Step(RocksDbIterator iterator, bool forward)
    {
        if (forward)
        {
            iterator.Next();
        }
        else
        {
            iterator.Prev();
        }
    }

    /// <summary>Encodes raw bounds and clips them to the region: returns encoded [lower, upper) (empty upper = none).</summary>
    private static (byte[] Lower, byte[] Upper) ClipEncoded(ReadOnlySpan<byte> rawStart, ReadOnlySpan<byte> rawEnd, Region region)
    {
        var lower = rawStart.IsEmpty ? region.StartKey.ToByteArray() : MvccKey.EncodeKey(rawStart);
        if (lower.AsSpan().SequenceCompareTo(region.StartKey.Span) < 0)
        {
            lower = region.StartKey.ToByteArray();
        }

        var upper = rawEnd.IsEmpty ? region.EndKey.ToByteArray() : MvccKey.EncodeKey(rawEnd);
        if (!region.EndKey.IsEmpty && (upper.Length == 0 || upper.AsSpan().SequenceCompareTo(region.EndKey.Span) > 0))
        {
            upper = region.EndKey.ToByteArray();
        }

        return (lower, upper);
    }
}
