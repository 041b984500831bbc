namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_readoptions_t</c> used for point reads; holds a reference on its snapshot, if any.</summary>
internal sealed class ReadOptionsSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_readoptions_destroy(ptr);
}
