using System.Runtime.InteropServices;

namespace Cairn.Storage.Local;

/// <summary>
/// The two libc calls .NET does not offer: fsync of a directory, which makes a rename durable.
/// .NET refuses to open a directory as a file, hence open(2) with O_DIRECTORY.
/// </summary>
internal static class Posix
{
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000; // Linux value on x86-64 and arm64
    private const int OCloExec = 0x80000;

    /// <summary>Flushes a directory's entries to disk. Silently does nothing where it is unsupported.</summary>
    public static void FsyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(path, ORdOnly | ODirectory | OCloExec);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {path} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {path} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);
}
