namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_options_t</c>.</summary>
internal sealed class OptionsSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_options_destroy(ptr);
}
