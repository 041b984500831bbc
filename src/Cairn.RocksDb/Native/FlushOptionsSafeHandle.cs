namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_flushoptions_t</c>.</summary>
internal sealed class FlushOptionsSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_flushoptions_destroy(ptr);
}
