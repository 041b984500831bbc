namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_pinnableslice_t</c>; holds a reference on its column family, since the value may point into a memtable or cached block.</summary>
internal sealed class PinnableSliceSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_pinnableslice_destroy(ptr);
}
