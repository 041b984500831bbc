namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_column_family_handle_t</c>; holds a reference on its database.</summary>
internal sealed class ColumnFamilySafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_column_family_handle_destroy(ptr);
}
