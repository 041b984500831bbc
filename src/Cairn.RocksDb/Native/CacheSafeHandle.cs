namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_cache_t</c> (a reference on a shared LRU cache).</summary>
internal sealed class CacheSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_cache_destroy(ptr);
}
