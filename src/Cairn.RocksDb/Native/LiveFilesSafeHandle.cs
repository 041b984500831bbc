namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_livefiles_t</c>.</summary>
internal sealed class LiveFilesSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_livefiles_destroy(ptr);
}
