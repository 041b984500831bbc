using System.Runtime.InteropServices;
using Cairn.Common.Errors;
using Cairn.RocksDb.Native;

namespace Cairn.RocksDb;

/// <summary>
/// A RocksDB call failed. <see cref="Exception.Message"/> is RocksDB's own status message;
/// <see cref="Kind"/> is the status class read from its prefix.
/// </summary>
public class RocksDbException : Exception, ITransientAware
{
    // Status::ToString prefixes (rocksdb/util/status.cc), longest-first where one could shadow another.
    private static readonly (string Prefix, RocksDbStatusKind Kind)[] Prefixes =
    [
        ("NotFound", RocksDbStatusKind.NotFound),
        ("Corruption", RocksDbStatusKind.Corruption),
        ("Not implemented", RocksDbStatusKind.NotSupported),
        ("Invalid argument", RocksDbStatusKind.InvalidArgument),
        ("IO error", RocksDbStatusKind.IOError),
        ("Merge in progress", RocksDbStatusKind.MergeInProgress),
        ("Result incomplete", RocksDbStatusKind.Incomplete),
        ("Shutdown in progress", RocksDbStatusKind.ShutdownInProgress),
        ("Operation timed out", RocksDbStatusKind.TimedOut),
        ("Operation aborted", RocksDbStatusKind.Aborted),
        ("Resource busy", RocksDbStatusKind.Busy),
        ("Operation expired", RocksDbStatusKind.Expired),
        ("Operation failed. Try again.", RocksDbStatusKind.TryAgain),
        ("Column family dropped", RocksDbStatusKind.ColumnFamilyDropped),
    ];

    /// <summary>Creates an exception with an explicit kind.</summary>
    public RocksDbException(string message, RocksDbStatusKind kind, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>Creates an exception whose kind is read from the message prefix.</summary>
    public RocksDbException(string message)
        : this(message, KindOf(message))
    {
    }

    /// <summary>The RocksDB status class.</summary>
    public RocksDbStatusKind Kind { get; }

    /// <summary>Whether trying again later may succeed (busy, timed out, try again, incomplete because of a stall).</summary>
    public bool IsTransient => Kind is RocksDbStatusKind.Busy or RocksDbStatusKind.TimedOut or RocksDbStatusKind.TryAgain
        or RocksDbStatusKind.Incomplete;

    /// <summary>Reads the status class from a RocksDB status message.</summary>
    public static RocksDbStatusKind KindOf(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        foreach (var (prefix, kind) in Prefixes)
        {
            if (message.StartsWith(prefix, StringComparison.Ordinal))
            {
                return kind;
            }
        }

        return RocksDbStatusKind.Unknown;
    }

    /// <summary>Takes a malloc'ed RocksDB error string, frees it and throws.</summary>
    internal static void ThrowFromNative(IntPtr err)
    {
        string message;
        try
        {
            message = Marshal.PtrToStringUTF8(err) ?? "unknown RocksDB error";
        }
        finally
        {
            NativeMethods.rocksdb_free(err);
        }

        throw new RocksDbException(message);
    }
}
