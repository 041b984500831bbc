using Cairn.RocksDb.Native;

namespace Cairn.RocksDb;

public sealed partial class RocksDatabase
{
    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/>.</summary>
    public void Put(ColumnFamily columnFamily, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, WriteOptions? options = null)
    {
        CheckOwned(columnFamily);
        NativeMethods.rocksdb_put_cf(_db, (options ?? _defaultWrite).Handle, columnFamily.Handle, key, (nuint)key.Length, value, (nuint)value.Length, out var err);
        NativeMethods.Check(err);
    }

    /// <summary>Deletes <paramref name="key"/> (writes a tombstone).</summary>
    public void Delete(ColumnFamily columnFamily, ReadOnlySpan<byte> key, WriteOptions? options = null)
    {
        CheckOwned(columnFamily);
        NativeMethods.rocksdb_delete_cf(_db, (options ?? _defaultWrite).Handle, columnFamily.Handle, key, (nuint)key.Length, out var err);
        NativeMethods.Check(err);
    }

    /// <summary>
    /// Deletes a key that was put exactly once and not overwritten since; cheaper to compact than
    /// <see cref="Delete"/>, undefined if the precondition does not hold (used for lock records).
    /// </summary>
    public void SingleDelete(ColumnFamily columnFamily, ReadOnlySpan<byte> key, WriteOptions? options = null)
    {
        CheckOwned(columnFamily);
        NativeMethods.rocksdb_singledelete_cf(_db, (options ?? _defaultWrite).Handle, columnFamily.Handle, key, (nuint)key.Length, out var err);
        NativeMethods.Check(err);
    }

    /// <summary>Deletes every key in <c>[startKey, endKey)</c> with one range tombstone.</summary>
    public void DeleteRange(ColumnFamily columnFamily, ReadOnlySpan<byte> startKey, ReadOnlySpan<byte> endKey, WriteOptions? options = null)
    {
        CheckOwned(columnFamily);
        NativeMethods.rocksdb_delete_range_cf(_db, (options ?? _defaultWrite).Handle, columnFamily.Handle,
            startKey, (nuint)startKey.Length, endKey, (nuint)endKey.Length, out var err);
        NativeMethods.Check(err);
    }

    /// <summary>Applies every update of <paramref name="batch"/> atomically.</summary>
    public void Write(WriteBatch batch, WriteOptions? options = null)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Owner is not null && !ReferenceEquals(batch.Owner, this))
        {
            throw new ArgumentException("The batch holds updates for column families of another database.", nameof(batch));
        }

        NativeMethods.rocksdb_write(_db, (options ?? _defaultWrite).Handle, batch.Handle, out var err);
        NativeMethods.Check(err);
    }
}
