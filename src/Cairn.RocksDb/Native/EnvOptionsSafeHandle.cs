namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_envoptions_t</c>.</summary>
internal sealed class EnvOptionsSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_envoptions_destroy(ptr);
}
