using System.Runtime.InteropServices;

namespace Cairn.RocksDb.Native;

/// <summary>
/// Entry points of <c>libcairn_rocksdb.so</c>, Cairn's C++ extension of the C API (source in <c>Native/shim/</c>,
/// built by <c>scripts/setup.sh core</c>): the MVCC table-properties collector, the MVCC table filter of read options
/// and DB statistics. Every call goes through <see cref="Shim"/>, which checks the library once first.
/// </summary>
internal static unsafe partial class ShimMethods
{
    internal const string Library = "cairn_rocksdb";

    internal const string FileName = "libcairn_rocksdb.so";

    [LibraryImport(Library)]
    internal static partial int cairn_shim_abi_version();

    [LibraryImport(Library)]
    internal static partial int cairn_shim_self_check();

    [LibraryImport(Library)]
    internal static partial int cairn_options_add_mvcc_collector(OptionsSafeHandle options);

    [LibraryImport(Library)]
    internal static partial IntPtr cairn_options_enable_statistics(OptionsSafeHandle options);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int cairn_statistics_ticker(StatisticsSafeHandle statistics, string name, out ulong value);

    [LibraryImport(Library)]
    internal static partial void cairn_statistics_destroy(IntPtr statistics);

    [LibraryImport(Library)]
    internal static partial IntPtr cairn_mvcc_filter_create(ulong startTs);

    [LibraryImport(Library)]
    internal static partial int cairn_readoptions_set_mvcc_filter(IntPtr readOptions, MvccFilterSafeHandle filter);

    [LibraryImport(Library)]
    internal static partial void cairn_mvcc_filter_counters(MvccFilterSafeHandle filter, ulong* counters);

    [LibraryImport(Library)]
    internal static partial void cairn_mvcc_filter_destroy(IntPtr filter);
}
