namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_snapshot_t</c>; its first parent is the database it was taken from.</summary>
internal sealed class SnapshotSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_release_snapshot(Parent1!.DangerousGetHandle(), ptr);
}
