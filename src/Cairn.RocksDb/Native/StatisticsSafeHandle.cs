namespace Cairn.RocksDb.Native;

internal sealed class StatisticsSafeHandle : NativeSafeHandle
{
    protected override void Free(IntPtr ptr) => ShimMethods.cairn_statistics_destroy(ptr);
}
