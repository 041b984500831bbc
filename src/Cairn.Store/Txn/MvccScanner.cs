using System.Buffers;
using Cairn.Common.Codec;
using Cairn.Common.Mvcc;
using Cairn.RocksDb;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Store.Engine;

namespace Cairn.Store.Txn;

/// <summary>
/// The store's one MVCC range scan, shared by KvScan, the checksum coprocessor and backup: walks the write and
/// lock CFs of [lower, upper) together at one RocksDB snapshot and yields committed versions as
/// <see cref="MvccEntry"/> (see <see cref="MvccScanMode"/>). A lock that blocks a read at the read ts ends the scan
/// with <see cref="Error"/> set (KeyIsLocked), as TiKV's scanners do. Pull-based, so a caller may stop at a limit,
/// cut files between entries or await between them; per key it copies the key into reused buffers and reads long
/// values into a reused buffer, so a scan allocates nothing per key unless a lock is met.
/// </summary>
/// <remarks>
/// A Delta or NewestInRange scan with a start ts above 0 reads the write CF through an <see cref="MvccTableFilter"/>:
/// SSTs whose newest version is committed at or before the start ts hold nothing the scan yields and are skipped
/// (<see cref="TableFilterCounters"/>). The default CF is never filtered: a value's key there carries its
/// transaction's start_ts, which may be at or before the scan's start ts while the commit is after it. The lock CF
/// is not filtered either (its keys have no ts).
/// </remarks>
internal sealed class MvccScanner : IDisposable
{
    // Versions to step over one by one before one seek is cheaper, as TiKV's SEEK_BOUND.
    private const int StepsBeforeSeek = 8;
    private readonly StoreEngine _engine;
    private readonly MvccScanOptions _options;
    private readonly bool _forward;
    private readonly MvccReader _reader;
    private readonly RocksDbIterator _writes;
    private readonly RocksDbIterator _locks;
    private readonly MvccTableFilter? _filter;

    // Delta scans look long values up with point reads that may fill the block cache: the values they find are
    // recent, so they sit in a few new blocks that many lookups share; without caching, every lookup reads its block
    // from disk again.
    private readonly ReadOptions? _valueRead;

    // Reverse scans walk the keys downward, arriving at each key's oldest version; this second iterator seeks the
    // key's visible version instead of walking its history backward.
    private readonly RocksDbIterator? _seeker;
    private readonly ArrayBufferWriter<byte> _defaultValue = new();
    private readonly byte[] _dataLower;
    private readonly byte[] _dataUpper;

    // Forward Latest scans read long values through one default-CF iterator that mostly steps to the next entry, as
    // TiKV's near_seek does, instead of one point lookup per value; reverse and delta scans keep the lookup.
    private RocksDbIterator? _defaults;
    private byte[] _key;
    private int _keyLength;
    private byte[] _rawKey;
    private int _rawKeyLength = -1;
    private byte[] _seekKey;
    private bool _lockOnKey;
    private bool _writeOnKey;
    private State _state;
    private RocksDbIterator? _entryIterator;
    private WriteType _type;
    private ulong _startTs;
    private ulong _commitTs;
    private int _shortOffset;
    private int _shortLength;
    private bool _inDefault;

    public MvccScanner(StoreEngine engine, MvccScanOptions options)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (options.Reverse && options.Mode != MvccScanMode.Latest)
        {
            throw new ArgumentException("only a Latest scan can run in reverse", nameof(options));
        }

        _engine = engine;
        _options = options;
        _forward = !options.Reverse;
        _key = ArrayPool<byte>.Shared.Rent(64);
        _rawKey = ArrayPool<byte>.Shared.Rent(64);
        _seekKey = ArrayPool<byte>.Shared.Rent(80);
        if (options.Upper.Length != 0 && options.Lower.AsSpan().SequenceCompareTo(options.Upper) >= 0)
        {
            _state = State.Done;
        }

        var (lower, upper) = MvccKeys.DataRange(options.Lower, options.Upper);
        _dataLower = lower;
        _dataUpper = upper;
        _reader = MvccReader.AtSnapshot(engine, options.FillCache);
        if (options.Mode != MvccScanMode.Latest && options.StartTs > 0)
        {
            _filter = new MvccTableFilter(options.StartTs);
            _writes = _reader.NewIterator(engine.Write, lower, upper, _filter);
            _valueRead = new ReadOptions { Snapshot = _reader.ReadOptions.Snapshot, FillCache = true };
        }
        else
        {
            _writes = _reader.NewIterator(engine.Write, lower, upper);
        }

        _locks = _reader.NewIterator(engine.Lock, lower, upper);
        _seeker = options.Reverse ? _reader.NewIterator(engine.Write, lower, upper) : null;
    }

    private enum State
    {
        Unstarted,
        BetweenKeys,
        OnEntryThenNextKey,
        OnEntryThenNextVersion,
        Done,
        Disposed,
    }

    /// <summary>The KeyIsLocked error that ended the scan, or null.</summary>
    public KeyError? Error { get; private set; }

    /// <summary>Write-CF files read and skipped by MVCC properties so far; null for a scan that reads every file.</summary>
    public MvccTableFilterCounters? TableFilterCounters => _state == State.Disposed ? null : _filter?.Counters;

    /// <summary>The entry <see cref="MoveNext"/> stopped at; valid until the next call.</summary>
    public MvccEntry Current
    {
        get
        {
            if (_state is not (State.OnEntryThenNextKey or State.OnEntryThenNextVersion))
            {
                throw new InvalidOperationException("the scanner is not on an entry");
            }

            var write = _entryIterator!.Value;
            return new MvccEntry
            {
                Key = _rawKey.AsSpan(0, _rawKeyLength),
                EncodedKey = KeySpan,
                Type = _type,
                StartTs = _startTs,
                CommitTs = _commitTs,
                WriteRecord = write,
                Value = _inDefault ? (_forward && _options.Mode == MvccScanMode.Latest ? _defaults!.Value : _defaultValue.WrittenSpan) : write.Slice(_shortOffset, _shortLength),
                ValueInDefaultCf = _inDefault,
            };
        }
    }

    private ReadOnlySpan<byte> KeySpan => _key.AsSpan(0, _keyLength);

    /// <summary>
    /// Moves to the next entry; false at the end of the range or at a blocking lock (then <see cref="Error"/>).
    /// </summary>
    public bool MoveNext()
    {
        switch (_state)
        {
            case State.Done:
                return false;
            case State.Disposed:
                throw new ObjectDisposedException(nameof(MvccScanner));
            case State.Unstarted:
                if (_forward)
                {
                    _writes.SeekToFirst();
                    _locks.SeekToFirst();
                }
                else
                {
                    _writes.SeekToLast();
                    _locks.SeekToLast();
                }

                break;
            case State.OnEntryThenNextKey:
                SkipRestOfKey();
                break;
            case State.OnEntryThenNextVersion:
                _writes.Next();
                if (NextDeltaVersion())
                {
                    return true;
                }

                SkipRestOfKey();
                break;
        }

        _state = State.BetweenKeys;
        while (NextKey())
        {
            if (_lockOnKey && IsBlockedByLock())
            {
                _state = State.Done;
                return false;
            }

            if (!_writeOnKey)
            {
                continue;
            }

            if (_options.Mode == MvccScanMode.Latest)
            {
                var found = _forward ? FindVisible(_writes) : FindVisibleWithSeek(_seeker!);
                if (found)
                {
                    _state = State.OnEntryThenNextKey;
                    return true;
                }
            }
            else
            {
                SkipNewerThan(_writes, _options.ReadTs);
                if (NextDeltaVersion())
                {
                    // NewestInRange stops at the first version of the key, as Latest does.
                    _state = _options.Mode == MvccScanMode.Delta ? State.OnEntryThenNextVersion : State.OnEntryThenNextKey;
                    return true;
                }
            }

            SkipRestOfKey();
        }

        _state = State.Done;
        _writes.ThrowIfError();
        _locks.ThrowIfError();
        return false;
    }

    public void Dispose()
    {
        if (_state == State.Disposed)
        {
            return;
        }

        _state = State.Disposed;
        _seeker?.Dispose();
        _defaults?.Dispose();
        _locks.Dispose();
        _writes.Dispose();
        _filter?.Dispose();
        _valueRead?.Dispose();
        _reader.Dispose();
        ArrayPool<byte>.Shared.Return(_key);
        ArrayPool<byte>.Shared.Return(_rawKey);
        ArrayPool<byte>.Shared.Return(_seekKey);
    }

    // Picks the next user key in scan order from whichever CF has it first and notes which CFs hold it.
    private bool NextKey()
    {
        var hasWrite = _writes.Valid;
        var hasLock = _locks.Valid;
        if (!hasWrite && !hasLock)
        {
            return false;
        }

        if (hasWrite && hasLock)
        {
            var w = MvccKeys.UserKeyOfVersioned(_writes.Key);
            var l = MvccKeys.UserKeyOfLock(_locks.Key);
            var order = w.SequenceCompareTo(l);
            SetKey((_forward ? order <= 0 : order >= 0) ? w : l);
        }
        else
        {
            SetKey(hasWrite ? MvccKeys.UserKeyOfVersioned(_writes.Key) : MvccKeys.UserKeyOfLock(_locks.Key));
        }

        _lockOnKey = hasLock && MvccKeys.UserKeyOfLock(_locks.Key).SequenceEqual(KeySpan);
        _writeOnKey = hasWrite && MvccKeys.IsVersionOf(_writes.Key, KeySpan);
        return true;
    }

    private bool IsBlockedByLock()
    {
        // Decoding allocates, but locks in a scanned range are rare.
        var lockRecord = LockRecord.Decode(_locks.Value);
        if (_forward)
        {
            _locks.Next();
        }
        else
        {
            _locks.Prev();
        }

        if (!LockVisibility.BlocksRead(lockRecord, RawKey(), _options.ReadTs, _options.BypassLocks))
        {
            return false;
        }

        Error = TxnErrors.Locked(lockRecord, RawKey());
        return true;
    }

    // Latest: the iterator stands on the key's newest version (or a seek target); finds the newest Put or Delete at
    // or below the read ts and stops on it when it is a Put.
    private bool FindVisible(RocksDbIterator it)
    {
        SkipNewerThan(it, _options.ReadTs);
        while (it.Valid)
        {
            var key = it.Key;
            if (!MvccKeys.IsVersionOf(key, KeySpan))
            {
                return false;
            }

            switch (WriteRecordView.ParseType(it.Value))
            {
                case WriteType.Put:
                    Capture(it, MvccKey.DecodeTs(key));
                    return true;
                case WriteType.Delete:
                    return false;
                default:
                    it.Next();
                    break;
            }
        }

        return false;
    }

    private bool FindVisibleWithSeek(RocksDbIterator seeker)
    {
        seeker.Seek(SeekKey(_options.ReadTs));
        return FindVisible(seeker);
    }

    // Delta and NewestInRange: from where the iterator stands, the next Put or Delete of the key committed after start ts.
    private bool NextDeltaVersion()
    {
        while (_writes.Valid)
        {
            var key = _writes.Key;
            if (!MvccKeys.IsVersionOf(key, KeySpan))
            {
                return false;
            }

            var commitTs = MvccKey.DecodeTs(key);
            if (commitTs <= _options.StartTs)
            {
                return false;
            }

            if (WriteRecordView.ParseType(_writes.Value) is WriteType.Put or WriteType.Delete)
            {
                Capture(_writes, commitTs);
                return true;
            }

            _writes.Next();
        }

        return false;
    }

    // Steps over the key's versions committed after ts; a long run of them is jumped with one seek.
    private void SkipNewerThan(RocksDbIterator it, ulong ts)
    {
        var steps = 0;
        while (it.Valid)
        {
            var key = it.Key;
            if (!MvccKeys.IsVersionOf(key, KeySpan) || MvccKey.DecodeTs(key) <= ts)
            {
                return;
            }

            if (++steps == StepsBeforeSeek)
            {
                it.Seek(SeekKey(ts));
            }
            else
            {
                it.Next();
            }
        }
    }

    // Leaves the write iterator on the next key in scan order; forward, a long history is jumped over with one
    // seek to the key's last possible version (ts 0).
    private void SkipRestOfKey()
    {
        var skipped = 0;
        while (_writes.Valid && MvccKeys.IsVersionOf(_writes.Key, KeySpan))
        {
            if (!_forward)
            {
                _writes.Prev();
            }
            else if (++skipped == StepsBeforeSeek)
            {
                _writes.Seek(SeekKey(0));
            }
            else
            {
                _writes.Next();
            }
        }
    }

    private void Capture(RocksDbIterator it, ulong commitTs)
    {
        var write = it.Value;
        var view = WriteRecordView.Parse(write);
        _entryIterator = it;
        _type = view.Type;
        _startTs = view.StartTs;
        _commitTs = commitTs;
        _inDefault = false;
        _shortOffset = 0;
        _shortLength = 0;
        RawKey();
        if (view.Type != WriteType.Put || _options.KeyOnly)
        {
            return;
        }

        if (view.HasShortValue)
        {
            if (!view.ShortValue.IsEmpty)
            {
                write.Overlaps(view.ShortValue, out _shortOffset);
                _shortLength = view.ShortValue.Length;
            }

            return;
        }

        // A delta scan looks long values up one by one: its versions are few and recent, and a point lookup passes the
        // old files by their bloom filters, where a seek would read a block of each of them.
        var found = _forward && _options.Mode == MvccScanMode.Latest ? NearSeekDefault(SeekKey(view.StartTs)) : TryGetDefault(SeekKey(view.StartTs));
        if (!found)
        {
            throw new InvalidDataException($"default CF value of key {Convert.ToHexString(KeySpan)} at start_ts {view.StartTs} is missing");
        }

        _inDefault = true;
    }

    private bool TryGetDefault(ReadOnlySpan<byte> key)
    {
        _defaultValue.ResetWrittenCount();
        return _engine.Db.TryGet(_engine.Default, key, _defaultValue, _valueRead ?? _reader.ReadOptions);
    }

    // Steps the default-CF iterator forward a few entries to the key, seeking only when it is not close.
    private bool NearSeekDefault(ReadOnlySpan<byte> key)
    {
        var it = _defaults ??= _reader.NewIterator(_engine.Default, _dataLower, _dataUpper);
        var steps = 0;
        while (it.Valid && steps++ < StepsBeforeSeek)
        {
            var order = it.Key.SequenceCompareTo(key);
            if (order == 0)
            {
                return true;
            }

            if (order > 0)
            {
                break;
            }

            it.Next();
        }

        it.Seek(key);
        if (it.Valid && it.Key.SequenceEqual(key))
        {
            return true;
        }

        it.ThrowIfError();
        return false;
    }

    private void SetKey(ReadOnlySpan<byte> encoded)
    {
        EnsureCapacity(ref _key, encoded.Length);
        encoded.CopyTo(_key);
        _keyLength = encoded.Length;
        _rawKeyLength = -1;
    }

    // The raw key of the current key, decoded once and only for keys that yield an entry or carry a lock.
    private ReadOnlySpan<byte> RawKey()
    {
        if (_rawKeyLength < 0)
        {
            // A decoded key is never longer than its encoding.
            EnsureCapacity(ref _rawKey, _keyLength);
            _rawKeyLength = MemComparable.DecodeBytes(KeySpan, _rawKey, out var consumed);
            if (consumed != _keyLength)
            {
                throw new CodecException($"{_keyLength - consumed} unexpected bytes after the encoded key {Convert.ToHexString(KeySpan)}");
            }
        }

        return _rawKey.AsSpan(0, _rawKeyLength);
    }

    // z + key + ~ts in a reused buffer: the write/default CF key of the current key at ts.
    private ReadOnlySpan<byte> SeekKey(ulong ts)
    {
        var length = 1 + _keyLength + MvccKey.TsLength;
        EnsureCapacity(ref _seekKey, length);
        _seekKey[0] = MvccKey.DataPrefix;
        KeySpan.CopyTo(_seekKey.AsSpan(1));
        MvccKey.WriteTs(_seekKey.AsSpan(1 + _keyLength), ts);
        return _seekKey.AsSpan(0, length);
    }

    private static void EnsureCapacity(ref byte[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(length);
        }
    }
}
