namespace Cairn.RocksDb.Native;

/// <summary>Checks the shim once (ABI version, and that the C handles wrap the C++ objects as it assumes).</summary>
internal static class Shim
{
    private const int AbiVersion = 1;
    private static readonly Lazy<string?> Problem = new(Check, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Throws, with one line saying what to do, unless the shim is loaded and fits this binding.</summary>
    internal static void EnsureUsable()
    {
        if (Problem.Value is { } problem)
        {
            throw new DllNotFoundException(problem);
        }
    }

    private static string? Check()
    {
        try
        {
            var version = ShimMethods.cairn_shim_abi_version();
            if (version != AbiVersion)
            {
                return $"{ShimMethods.FileName} has ABI version {version}, this build needs {AbiVersion}; run scripts/setup.sh core and build again";
            }

            return ShimMethods.cairn_shim_self_check() == 1
                ? null
                : $"{ShimMethods.FileName} does not match the loaded librocksdb (its C handles are laid out differently); rebuild it with scripts/setup.sh core against the installed librocksdb-dev";
        }
        catch (DllNotFoundException e)
        {
            return e.Message;
        }
        catch (EntryPointNotFoundException e)
        {
            return $"{ShimMethods.FileName} is out of date ({e.Message}); run scripts/setup.sh core and build again";
        }
    }
}
