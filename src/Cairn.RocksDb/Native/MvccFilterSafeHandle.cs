namespace Cairn.RocksDb.Native;

internal sealed class MvccFilterSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => ShimMethods.cairn_mvcc_filter_destroy(ptr);
}
