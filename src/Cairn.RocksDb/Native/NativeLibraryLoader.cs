using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cairn.RocksDb.Native;

/// <summary>
/// Points the "rocksdb" import at Debian's library (the runtime package ships only the versioned
/// <c>librocksdb.so.7.8</c>; the unversioned symlink comes with the -dev package) and the "cairn_rocksdb" import at
/// the C++ shim <c>libcairn_rocksdb.so</c>: next to the assemblies (the build copies it there from
/// <c>.tools/native/</c>), else in the <c>.tools/native/</c> of a directory above them. A missing shim fails with one
/// line saying to run <c>scripts/setup.sh core</c>.
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
        if (libraryName == ShimMethods.Library)
        {
            return ResolveShim();
        }

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

    private static IntPtr ResolveShim()
    {
        foreach (var path in ShimCandidates())
        {
            if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle))
            {
                return handle;
            }
        }

        throw new DllNotFoundException(
            $"{ShimMethods.FileName} (Cairn's RocksDB extension) is not next to the assemblies in {AppContext.BaseDirectory} nor in a .tools/native above them; run scripts/setup.sh core and build again");
    }

    private static IEnumerable<string> ShimCandidates()
    {
        var assemblyDir = Path.GetDirectoryName(typeof(NativeLibraryLoader).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyDir))
        {
            yield return Path.Combine(assemblyDir, ShimMethods.FileName);
        }

        yield return Path.Combine(AppContext.BaseDirectory, ShimMethods.FileName);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            yield return Path.Combine(dir.FullName, ".tools", "native", ShimMethods.FileName);
        }
    }
}
