namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_block_based_table_options_t</c>.</summary>
internal sealed class BlockBasedOptionsSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_block_based_options_destroy(ptr);
}
