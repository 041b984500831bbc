using System.Buffers;
using Cairn.RocksDb.Native;

namespace Cairn.RocksDb;

public sealed partial class RocksDatabase
{
    /// <summary>
    /// Copies the value of <paramref name="key"/> into <paramref name="destination"/>; returns false, writing
    /// nothing, when the key does not exist. The value is copied once, straight from RocksDB's pinned block.
    /// </summary>
    public unsafe bool TryGet(ColumnFamily columnFamily, ReadOnlySpan<byte> key, IBufferWriter<byte> destination, ReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CheckOwned(columnFamily);
        var slice = NativeMethods.rocksdb_get_pinned_cf(_db, (options ?? _defaultRead).GetPointReadHandle(), columnFamily.Handle,
            key, (nuint)key.Length, out var err);
        NativeMethods.Check(err);
        if (slice == IntPtr.Zero)
        {
            return false;
        }

        // The slice never leaves this method, so a try/finally frees it without a SafeHandle allocation per read.
        try
        {
            var data = NativeMethods.rocksdb_pinnableslice_value(slice, out var length);
            var value = new ReadOnlySpan<byte>(data, checked((int)length));
            value.CopyTo(destination.GetSpan(value.Length));
            destination.Advance(value.Length);
            return true;
        }
        finally
        {
            NativeMethods.rocksdb_pinnableslice_destroy(slice);
        }
    }

    /// <summary>Returns a copy of the value of <paramref name="key"/>, or null when it does not exist.</summary>
    public unsafe byte[]? Get(ColumnFamily columnFamily, ReadOnlySpan<byte> key, ReadOptions? options = null)
    {
        CheckOwned(columnFamily);
        var slice = NativeMethods.rocksdb_get_pinned_cf(_db, (options ?? _defaultRead).GetPointReadHandle(), columnFamily.Handle,
            key, (nuint)key.Length, out var err);
        NativeMethods.Check(err);
        if (slice == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            var data = NativeMethods.rocksdb_pinnableslice_value(slice, out var length);
            return new ReadOnlySpan<byte>(data, checked((int)length)).ToArray();
        }
        finally
        {
            NativeMethods.rocksdb_pinnableslice_destroy(slice);
        }
    }

    /// <summary>
    /// Returns the value of <paramref name="key"/> without copying it, or null when it does not exist. Dispose the
    /// result promptly: it pins a memtable or block and keeps the database open.
    /// </summary>
    public PinnedValue? GetPinned(ColumnFamily columnFamily, ReadOnlySpan<byte> key, ReadOptions? options = null)
    {
        CheckOwned(columnFamily);
        var handle = new PinnableSliceSafeHandle();
        handle.AddParent(columnFamily.Handle);
        var slice = NativeMethods.rocksdb_get_pinned_cf(_db, (options ?? _defaultRead).GetPointReadHandle(), columnFamily.Handle,
            key, (nuint)key.Length, out var err);
        handle.Attach(slice);
        handle.AbandonIfInvalid();
        if (err != IntPtr.Zero)
        {
            handle.Dispose();
            NativeMethods.Check(err);
        }

        return handle.IsInvalid ? null : new PinnedValue(handle);
    }

    /// <summary>Takes a snapshot of the current state. The database stays open until the snapshot is disposed.</summary>
    public Snapshot CreateSnapshot()
    {
        ThrowIfDisposed();
        var handle = new SnapshotSafeHandle();
        handle.AddParent(_db);
        handle.Attach(NativeMethods.rocksdb_create_snapshot(_db));
        handle.AbandonIfInvalid();
        if (handle.IsInvalid)
        {
            throw new RocksDbException("RocksDB returned no snapshot.", RocksDbStatusKind.Unknown);
        }

        return new Snapshot(handle);
    }

    /// <summary>
    /// Creates an iterator over <paramref name="columnFamily"/> honouring the bounds and snapshot of
    /// <paramref name="options"/>. The bounds are copied into native memory owned by the iterator.
    /// </summary>
    public RocksDbIterator NewIterator(ColumnFamily columnFamily, ReadOptions? options = null)
    {
        options ??= _defaultRead;
        return NewIterator(columnFamily, Span(options.LowerBound), Span(options.UpperBound), options);
    }

    /// <summary>
    /// Creates an iterator over <c>[lowerBound, upperBound)</c> of <paramref name="columnFamily"/>. An empty bound
    /// means unbounded on that side (as an empty region end key); bounds in <paramref name="options"/> are ignored.
    /// </summary>
    public unsafe RocksDbIterator NewIterator(ColumnFamily columnFamily, ReadOnlySpan<byte> lowerBound, ReadOnlySpan<byte> upperBound,
        ReadOptions? options = null)
    {
        CheckOwned(columnFamily);
        options ??= _defaultRead;
        var handle = new IteratorSafeHandle();
        byte* lower = null;
        byte* upper = null;
        var readOptions = IntPtr.Zero;
        try
        {
            handle.AddParent(columnFamily.Handle);
            if (options.Snapshot is not null)
            {
                handle.AddParent(options.Snapshot.Handle);
            }

            readOptions = NativeMethods.rocksdb_readoptions_create();
            options.Apply(readOptions);
            if (!lowerBound.IsEmpty)
            {
                lower = CopyToNative(lowerBound);
                NativeMethods.rocksdb_readoptions_set_iterate_lower_bound(readOptions, lower, (nuint)lowerBound.Length);
            }

            if (!upperBound.IsEmpty)
            {
                upper = CopyToNative(upperBound);
                NativeMethods.rocksdb_readoptions_set_iterate_upper_bound(readOptions, upper, (nuint)upperBound.Length);
            }

            handle.OwnReadOptions(readOptions, lower, upper);
            readOptions = IntPtr.Zero;
            lower = null;
            upper = null;
            handle.Attach(NativeMethods.rocksdb_create_iterator_cf(_db, handle.OwnedReadOptions, columnFamily.Handle));
        }
        finally
        {
            if (readOptions != IntPtr.Zero)
            {
                NativeMethods.rocksdb_readoptions_destroy(readOptions);
            }

            System.Runtime.InteropServices.NativeMemory.Free(lower);
            System.Runtime.InteropServices.NativeMemory.Free(upper);
            handle.FreeOwnedIfInvalid();
            handle.AbandonIfInvalid();
        }

        if (handle.IsInvalid)
        {
            throw new RocksDbException("RocksDB returned no iterator.", RocksDbStatusKind.Unknown);
        }

        return new RocksDbIterator(handle);
    }

    private static ReadOnlySpan<byte> Span(ReadOnlyMemory<byte>? memory) => memory is { } m ? m.Span : default;

    private static unsafe byte* CopyToNative(ReadOnlySpan<byte> bytes)
    {
        var p = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        return p;
    }
}
