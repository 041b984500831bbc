namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_compactoptions_t</c>.</summary>
internal sealed class CompactOptionsSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_compactoptions_destroy(ptr);
}
