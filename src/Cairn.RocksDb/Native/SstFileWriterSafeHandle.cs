namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_sstfilewriter_t</c>.</summary>
internal sealed class SstFileWriterSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_sstfilewriter_destroy(ptr);
}
