namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_writebatch_t</c>.</summary>
internal sealed class WriteBatchSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_writebatch_destroy(ptr);
}
