using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cairn.RocksDb.Native;

/// <summary>
/// Points the "rocksdb" import at Debian's library. The runtime package ships only the versioned
/// <c>librocksdb.so.7.8</c>; the unversioned symlink comes with the -dev package, which is not installed at run time.
/// </summary>
internal static class NativeLibraryLoader
{
    private static readonly string[] Candidates = ["librocksdb.so.7.8", "librocksdb.so", "librocksdb.so.7"];

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The resolver must be in place before the first P/Invoke, whichever type the caller touches first.")]
    internal static void Initialize() => NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != NativeMethods.Library)
        {
            return IntPtr.Zero;
        }

        foreach (var candidate in Candidates)
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out var handle))
            {
                return handle;
            }
        }

        // Falling through lets the runtime report its usual DllNotFoundException with the probed paths.
        return IntPtr.Zero;
    }
}
