namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_column_family_metadata_t</c>.</summary>
internal sealed class ColumnFamilyMetadataSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_column_family_metadata_destroy(ptr);
}
