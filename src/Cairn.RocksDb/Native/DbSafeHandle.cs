namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_t</c>; releasing it closes the database, which happens only after every child handle is gone.</summary>
internal sealed class DbSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_close(ptr);
}
