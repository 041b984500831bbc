namespace Cairn.RocksDb.Native;

/// <summary>Owns a <c>rocksdb_ingestexternalfileoptions_t</c>.</summary>
internal sealed class IngestOptionsSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => NativeMethods.rocksdb_ingestexternalfileoptions_destroy(ptr);
}
