using Cairn.RocksDb.Native;

namespace Cairn.RocksDb;

/// <summary>
/// A set of updates, possibly across column families, applied atomically by <see cref="RocksDatabase.Write"/>.
/// Reusable after <see cref="Clear"/>. Not thread-safe.
/// </summary>
public sealed class WriteBatch : IDisposable
{
    private readonly WriteBatchSafeHandle _handle;

    // A batch stores column family ids only; applying it to another database would land in whichever column
    // families happen to have those ids there. Remembering the owner turns that mistake into an exception.
    private RocksDatabase? _owner;

    /// <summary>Creates an empty batch.</summary>
    public WriteBatch()
    {
        _handle = new WriteBatchSafeHandle();
        _handle.Attach(NativeMethods.rocksdb_writebatch_create());
    }

    /// <summary>Number of updates in the batch.</summary>
    public int Count => NativeMethods.rocksdb_writebatch_count(_handle);

    /// <summary>Size of the serialized batch in bytes.</summary>
    public long DataSize
    {
        get
        {
            NativeMethods.rocksdb_writebatch_data(_handle, out var size);
            return (long)size;
        }
    }

    internal WriteBatchSafeHandle Handle => _handle;

    /// <summary>Adds a put.</summary>
    public void Put(ColumnFamily columnFamily, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Track(columnFamily);
        NativeMethods.rocksdb_writebatch_put_cf(_handle, columnFamily.Handle, key, (nuint)key.Length, value, (nuint)value.Length);
    }

    /// <summary>Adds a delete.</summary>
    public void Delete(ColumnFamily columnFamily, ReadOnlySpan<byte> key)
    {
        Track(columnFamily);
        NativeMethods.rocksdb_writebatch_delete_cf(_handle, columnFamily.Handle, key, (nuint)key.Length);
    }

    /// <summary>Adds a single delete: only valid for a key that was put once and never overwritten since.</summary>
    public void SingleDelete(ColumnFamily columnFamily, ReadOnlySpan<byte> key)
    {
        Track(columnFamily);
        NativeMethods.rocksdb_writebatch_singledelete_cf(_handle, columnFamily.Handle, key, (nuint)key.Length);
    }

    /// <summary>Adds a range deletion of <c>[startKey, endKey)</c>.</summary>
    public void DeleteRange(ColumnFamily columnFamily, ReadOnlySpan<byte> startKey, ReadOnlySpan<byte> endKey)
    {
        Track(columnFamily);
        NativeMethods.rocksdb_writebatch_delete_range_cf(_handle, columnFamily.Handle, startKey, (nuint)startKey.Length, endKey, (nuint)endKey.Length);
    }

    /// <summary>Removes every update so the batch can be reused (with any database).</summary>
    public void Clear()
    {
        NativeMethods.rocksdb_writebatch_clear(_handle);
        _owner = null;
    }

    internal RocksDatabase? Owner => _owner;

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    private void Track(ColumnFamily columnFamily)
    {
        ArgumentNullException.ThrowIfNull(columnFamily);
        if (_owner is null)
        {
            _owner = columnFamily.Owner;
        }
        else if (!ReferenceEquals(_owner, columnFamily.Owner))
        {
            throw new ArgumentException("A write batch can only hold updates for one database.", nameof(columnFamily));
        }
    }
}
