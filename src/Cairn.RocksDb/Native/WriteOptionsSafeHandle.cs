namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_writeoptions_t</c>.</summary>
internal sealed class WriteOptionsSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_writeoptions_destroy(ptr);
}
