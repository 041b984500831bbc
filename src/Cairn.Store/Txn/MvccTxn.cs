using Cairn.Common.Mvcc;
using Cairn.RocksDb;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Store.Engine;

namespace Cairn.Store.Txn;

/// <summary>
/// One write command in flight, as TiKV's <c>MvccTxn</c>: a reader of the latest state and the batch the command
/// builds, plus the Percolator steps several commands share (commit a lock, roll back, protect a rollback). The
/// <see cref="TxnScheduler"/> writes the batch atomically at the end unless the command called <see cref="Discard"/>.
/// </summary>
internal sealed class MvccTxn : IDisposable
{
    private readonly StoreEngine _engine;
    private readonly WriteBatch _batch = new();
    private bool _discarded;

    public MvccTxn(StoreEngine engine)
    {
        _engine = engine;
        Reader = MvccReader.Latest(engine);
    }

    /// <summary>Reads the latest state; the command holds the latches of every key it reads through it.</summary>
    public MvccReader Reader { get; }

    /// <summary>Marks the command failed, so nothing it staged is written; returns <paramref name="response"/>.</summary>
    public T Discard<T>(T response)
    {
        _discarded = true;
        return response;
    }

    /// <summary>Writes the staged batch in one atomic write, unless discarded or empty.</summary>
    public void Apply()
    {
        if (!_discarded && _batch.Count > 0)
        {
            _engine.WriteData(_batch);
        }
    }

    /// <summary>Stages a lock on an encoded key.</summary>
    public void PutLock(ReadOnlySpan<byte> encoded, LockRecord lockRecord) =>
        _batch.Put(_engine.Lock, MvccKeys.Lock(encoded), lockRecord.ToBytes());

    /// <summary>Stages a value too long to inline, in the default CF at start_ts.</summary>
    public void PutValue(ReadOnlySpan<byte> encoded, ulong startTs, ReadOnlySpan<byte> value) =>
        _batch.Put(_engine.Default, MvccKeys.Versioned(encoded, startTs), value);

    /// <summary>
    /// Turns the lock of <paramref name="startTs"/> into a write record at <paramref name="commitTs"/>. A key the
    /// transaction already committed succeeds again; a missing lock without a commit record is TxnLockNotFound.
    /// </summary>
    public KeyError? Commit(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> rawKey, ulong startTs, ulong commitTs)
    {
        var lockRecord = Reader.LoadLock(encoded);
        if (lockRecord is null || lockRecord.StartTs != startTs)
        {
            var state = Reader.GetTxnCommitState(encoded, startTs);
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
        var overlapped = Reader.GetWriteAt(encoded, commitTs) is { Type: WriteType.Rollback };
        var write = new WriteRecord(type, startTs, lockRecord.ShortValue) { HasOverlappedRollback = overlapped };
        _batch.Put(_engine.Write, MvccKeys.Versioned(encoded, commitTs), write.ToBytes());
        _batch.Delete(_engine.Lock, MvccKeys.Lock(encoded));
        return null;
    }

    /// <summary>
    /// Rolls back the transaction <paramref name="startTs"/> on the key: drops its lock and value and writes a
    /// protected rollback. A committed key fails; a key already rolled back succeeds. <paramref name="lockRecord"/>
    /// is the key's lock when the caller has loaded it.
    /// </summary>
    public KeyError? Rollback(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> rawKey, ulong startTs, LockRecord? lockRecord)
    {
        lockRecord ??= Reader.LoadLock(encoded);
        if (lockRecord is not null && lockRecord.StartTs == startTs)
        {
            if (lockRecord.Type == LockType.Put && lockRecord.ShortValue is null)
            {
                _batch.Delete(_engine.Default, MvccKeys.Versioned(encoded, startTs));
            }

            _batch.Delete(_engine.Lock, MvccKeys.Lock(encoded));
            WriteRollbackRecord(encoded, startTs);
            return null;
        }

        var state = Reader.GetTxnCommitState(encoded, startTs);
        switch (state.Kind)
        {
            case TxnCommitKind.Committed:
                return TxnErrors.Committed(startTs, state.CommitTs, rawKey);
            case TxnCommitKind.RolledBack:
                return null;
            default:
                WriteRollbackRecord(encoded, startTs);
                return null;
        }
    }

    /// <summary>
    /// A protected rollback at start_ts, so a late prewrite of the transaction can never succeed; if another
    /// transaction committed exactly at that ts, its record is kept and flagged instead of overwritten.
    /// </summary>
    public void WriteRollbackRecord(ReadOnlySpan<byte> encoded, ulong startTs)
    {
        var key = MvccKeys.Versioned(encoded, startTs);
        if (Reader.GetWriteAt(encoded, startTs) is { } existing)
        {
            if (existing.Type != WriteType.Rollback && !existing.HasOverlappedRollback)
            {
                _batch.Put(_engine.Write, key, (existing with { HasOverlappedRollback = true }).ToBytes());
            }

            return;
        }

        _batch.Put(_engine.Write, key, WriteRecord.Rollback(startTs, isProtected: true).ToBytes());
    }

    public void Dispose()
    {
        Reader.Dispose();
        _batch.Dispose();
    }
}
