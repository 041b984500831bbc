namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_checkpoint_t</c>; holds a reference on its database.</summary>
internal sealed class CheckpointSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_checkpoint_object_destroy(ptr);
}
