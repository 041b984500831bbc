using System.Runtime.CompilerServices;
using Cairn.RocksDb.Native;

namespace Cairn.RocksDb;

/// <summary>
/// An iterator over one column family. Not thread-safe. <see cref="Key"/> and <see cref="Value"/> point into
/// RocksDB's memory and stay valid only until the iterator moves or is disposed. The iterator keeps its column
/// family, snapshot and database open until it is disposed, so disposing the database first is safe: the close
/// happens when the last iterator goes.
/// </summary>
public sealed unsafe class RocksDbIterator : IDisposable
{
    private readonly IteratorSafeHandle _handle;
    private IntPtr _it;
    private bool _valid;

    internal RocksDbIterator(IteratorSafeHandle handle)
    {
        _handle = handle;
        _it = handle.DangerousGetHandle();
    }

    /// <summary>Whether the iterator is positioned on an entry. False at either end and after an error.</summary>
    public bool Valid
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _valid;
    }

    /// <summary>The current key; valid until the next move.</summary>
    public ReadOnlySpan<byte> Key
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var it = PositionedIterator();
            nuint length;
            var p = NativeMethods.rocksdb_iter_key(it, &length);
            return new ReadOnlySpan<byte>(p, (int)length);
        }
    }

    /// <summary>The current value; valid until the next move.</summary>
    public ReadOnlySpan<byte> Value
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var it = PositionedIterator();
            nuint length;
            var p = NativeMethods.rocksdb_iter_value(it, &length);
            return new ReadOnlySpan<byte>(p, (int)length);
        }
    }

    /// <summary>Moves to the first entry at or above the lower bound.</summary>
    public void SeekToFirst()
    {
        var it = Iterator();
        NativeMethods.rocksdb_iter_seek_to_first(it);
        _valid = NativeMethods.rocksdb_iter_valid(it) != 0;
    }

    /// <summary>Moves to the last entry below the upper bound.</summary>
    public void SeekToLast()
    {
        var it = Iterator();
        NativeMethods.rocksdb_iter_seek_to_last(it);
        _valid = NativeMethods.rocksdb_iter_valid(it) != 0;
    }

    /// <summary>Moves to the first entry whose key is at or after <paramref name="key"/>.</summary>
    public void Seek(ReadOnlySpan<byte> key)
    {
        var it = Iterator();
        fixed (byte* k = key)
        {
            NativeMethods.rocksdb_iter_seek(it, k, (nuint)key.Length);
        }

        _valid = NativeMethods.rocksdb_iter_valid(it) != 0;
    }

    /// <summary>Moves to the last entry whose key is at or before <paramref name="key"/>.</summary>
    public void SeekForPrev(ReadOnlySpan<byte> key)
    {
        var it = Iterator();
        fixed (byte* k = key)
        {
            NativeMethods.rocksdb_iter_seek_for_prev(it, k, (nuint)key.Length);
        }

        _valid = NativeMethods.rocksdb_iter_valid(it) != 0;
    }

    /// <summary>Moves to the next entry. The iterator must be <see cref="Valid"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Next()
    {
        var it = PositionedIterator();
        NativeMethods.rocksdb_iter_next(it);
        _valid = NativeMethods.rocksdb_iter_valid(it) != 0;
    }

    /// <summary>Moves to the previous entry. The iterator must be <see cref="Valid"/>.</summary>
    public void Prev()
    {
        var it = PositionedIterator();
        NativeMethods.rocksdb_iter_prev(it);
        _valid = NativeMethods.rocksdb_iter_valid(it) != 0;
    }

    /// <summary>
    /// Throws if the iterator stopped because of an error (I/O, corruption) rather than reaching the end. Call it
    /// when <see cref="Valid"/> turns false.
    /// </summary>
    public void ThrowIfError()
    {
        NativeMethods.rocksdb_iter_get_error(Iterator(), out var err);
        NativeMethods.Check(err);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _it = IntPtr.Zero;
        _valid = false;
        _handle.Dispose();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private IntPtr Iterator()
    {
        var it = _it;
        if (it == IntPtr.Zero)
        {
            ThrowDisposed();
        }

        return it;
    }

    // RocksDB dereferences the current child iterator in key()/value()/next(); on an invalid iterator that is a
    // null pointer, so the position is checked here rather than trusted.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private IntPtr PositionedIterator()
    {
        var it = Iterator();
        if (!_valid)
        {
            ThrowNotPositioned();
        }

        return it;
    }

    private static void ThrowDisposed() => throw new ObjectDisposedException(nameof(RocksDbIterator));

    private static void ThrowNotPositioned() =>
        throw new InvalidOperationException("The iterator is not positioned on an entry (check Valid before reading or moving).");
}
