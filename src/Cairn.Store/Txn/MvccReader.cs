using Cairn.Common.Mvcc;
using Cairn.RocksDb;
using Cairn.Store.Engine;

namespace Cairn.Store.Txn;

/// <summary>
/// Reads locks, write records and values of the transactional layout, either at a RocksDB snapshot (reads, so a
/// scan is consistent) or at the latest state (write commands, which hold the latches of the keys they read).
/// </summary>
internal sealed class MvccReader : IDisposable
{
    private readonly StoreEngine _engine;
    private readonly Snapshot? _snapshot;
    private readonly ReadOptions _read;
    private RocksDbIterator? _write;

    private MvccReader(StoreEngine engine, bool useSnapshot, bool fillCache = true)
    {
        _engine = engine;
        _snapshot = useSnapshot ? engine.Db.CreateSnapshot() : null;
        _read = new ReadOptions { Snapshot = _snapshot, FillCache = fillCache };
    }

    /// <summary>A reader at a new snapshot; <paramref name="fillCache"/> false keeps a one-pass scan (backup) out of the block cache.</summary>
    public static MvccReader AtSnapshot(StoreEngine engine, bool fillCache = true) => new(engine, useSnapshot: true, fillCache);

    /// <summary>A reader of the latest state.</summary>
    public static MvccReader Latest(StoreEngine engine) => new(engine, useSnapshot: false);

    public StoreEngine Engine => _engine;

    public ReadOptions ReadOptions => _read;

    private RocksDbIterator WriteIterator => _write ??= _engine.Db.NewIterator(_engine.Write, LocalKeys.DataMin, LocalKeys.DataMax, _read);

    /// <summary>Creates a bounded iterator over a CF at this reader's snapshot; the caller disposes it.</summary>
    public RocksDbIterator NewIterator(ColumnFamily cf, ReadOnlySpan<byte> lower, ReadOnlySpan<byte> upper) =>
        _engine.Db.NewIterator(cf, lower, upper, _read);

    /// <summary>
    /// Creates a bounded iterator at this reader's snapshot that skips the SSTs <paramref name="filter"/> rules out
    /// (only for the write CF, whose files carry MVCC properties); the caller disposes it.
    /// </summary>
    public RocksDbIterator NewIterator(ColumnFamily cf, ReadOnlySpan<byte> lower, ReadOnlySpan<byte> upper, MvccTableFilter filter)
    {
        // The iterator copies the native options, so these may go once it exists.
        using var read = new ReadOptions { Snapshot = _snapshot, FillCache = _read.FillCache, MvccFilter = filter };
        return _engine.Db.NewIterator(cf, lower, upper, read);
    }

    /// <summary>The lock on an encoded key, or null.</summary>
    public LockRecord? LoadLock(ReadOnlySpan<byte> encoded)
    {
        var value = _engine.Db.Get(_engine.Lock, MvccKeys.Lock(encoded), _read);
        return value is null ? null : LockRecord.Decode(value);
    }

    /// <summary>A default-CF value written at <paramref name="startTs"/>.</summary>
    public byte[]? LoadDefault(ReadOnlySpan<byte> encoded, ulong startTs) =>
        _engine.Db.Get(_engine.Default, MvccKeys.Versioned(encoded, startTs), _read);

    /// <summary>The write record stored exactly at <paramref name="commitTs"/>, if any.</summary>
    public WriteRecord? GetWriteAt(ReadOnlySpan<byte> encoded, ulong commitTs)
    {
        var value = _engine.Db.Get(_engine.Write, MvccKeys.Versioned(encoded, commitTs), _read);
        return value is null ? null : WriteRecord.Decode(value);
    }

    /// <summary>The newest write record with commit_ts ≤ <paramref name="ts"/>.</summary>
    public bool SeekWrite(ReadOnlySpan<byte> encoded, ulong ts, out ulong commitTs, out WriteRecord write)
    {
        var it = WriteIterator;
        it.Seek(MvccKeys.Versioned(encoded, ts));
        if (it.Valid && MvccKeys.IsVersionOf(it.Key, encoded))
        {
            commitTs = MvccKey.DecodeTs(it.Key);
            write = WriteRecord.Decode(it.Value);
            return true;
        }

        it.ThrowIfError();
        commitTs = 0;
        write = default;
        return false;
    }

    /// <summary>
    /// The value visible at <paramref name="ts"/>: the newest Put or Delete with commit_ts ≤ ts, skipping Lock and
    /// Rollback records. Returns false when the key has no value at that ts.
    /// </summary>
    public bool TryGetValue(ReadOnlySpan<byte> encoded, ulong ts, out byte[] value, out ulong commitTs)
    {
        var it = WriteIterator;
        for (it.Seek(MvccKeys.Versioned(encoded, ts)); it.Valid && MvccKeys.IsVersionOf(it.Key, encoded); it.Next())
        {
            var view = WriteRecordView.Parse(it.Value);
            switch (view.Type)
            {
                case WriteType.Put:
                    commitTs = MvccKey.DecodeTs(it.Key);
                    value = view.HasShortValue
                        ? view.ShortValue.ToArray()
                        : LoadDefault(encoded, view.StartTs) ?? throw new InvalidDataException(
                            $"default CF value of key {Convert.ToHexString(encoded)} at start_ts {view.StartTs} is missing");
                    return true;
                case WriteType.Delete:
                    value = [];
                    commitTs = 0;
                    return false;
                default:
                    continue;
            }
        }

        it.ThrowIfError();
        value = [];
        commitTs = 0;
        return false;
    }

    /// <summary>Whether the newest visible version (at any ts) is a value, for Insert's existence check.</summary>
    public bool KeyExists(ReadOnlySpan<byte> encoded) => TryGetValue(encoded, ulong.MaxValue, out _, out _);

    /// <summary>Looks for a commit or rollback record of the transaction <paramref name="startTs"/> on the key.</summary>
    public TxnCommitState GetTxnCommitState(ReadOnlySpan<byte> encoded, ulong startTs)
    {
        var it = WriteIterator;
        for (it.Seek(MvccKeys.Versioned(encoded, ulong.MaxValue)); it.Valid && MvccKeys.IsVersionOf(it.Key, encoded); it.Next())
        {
            var commitTs = MvccKey.DecodeTs(it.Key);
            if (commitTs < startTs)
            {
                break;
            }

            var view = WriteRecordView.Parse(it.Value);
            if (view.StartTs == startTs)
            {
                return view.Type == WriteType.Rollback
                    ? new TxnCommitState(TxnCommitKind.RolledBack, 0)
                    : new TxnCommitState(TxnCommitKind.Committed, commitTs);
            }

            if (commitTs == startTs && view.HasOverlappedRollback)
            {
                return new TxnCommitState(TxnCommitKind.RolledBack, 0);
            }
        }

        it.ThrowIfError();
        return new TxnCommitState(TxnCommitKind.None, 0);
    }

    public void Dispose()
    {
        _write?.Dispose();
        _read.Dispose();
        _snapshot?.Dispose();
    }
}
