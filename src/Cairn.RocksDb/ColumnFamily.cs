using Cairn.RocksDb.Native;

namespace Cairn.RocksDb;

/// <summary>An open column family of one <see cref="RocksDatabase"/>. Owned by the database; do not dispose.</summary>
public sealed class ColumnFamily
{
    internal ColumnFamily(RocksDatabase owner, string name, ColumnFamilySafeHandle handle)
    {
        Owner = owner;
        Name = name;
        Handle = handle;
        Id = NativeMethods.rocksdb_column_family_handle_get_id(handle);
    }

    /// <summary>The column family name.</summary>
    public string Name { get; }

    /// <summary>RocksDB's numeric id of the column family.</summary>
    public uint Id { get; }

    internal RocksDatabase Owner { get; }

    internal ColumnFamilySafeHandle Handle { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
