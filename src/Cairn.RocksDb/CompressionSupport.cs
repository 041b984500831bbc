using System.Collections.Concurrent;
using Cairn.RocksDb.Native;

namespace Cairn.RocksDb;

/// <summary>
/// Tells which compression algorithms the loaded librocksdb really supports. The SST writer accepts any
/// compression code and silently stores raw blocks when the codec is not linked in, while <c>DB::Open</c> checks
/// it; so support is probed once per algorithm by opening a throwaway database with it, and the answer is cached.
/// </summary>
public static class CompressionSupport
{
    // Value: null when supported, otherwise RocksDB's refusal.
    private static readonly ConcurrentDictionary<Compression, string?> Probed = new();

    /// <summary>Whether <paramref name="compression"/> can be used by this process's librocksdb.</summary>
    public static bool IsSupported(Compression compression) => Probe(compression) is null;

    /// <summary>Throws a <see cref="RocksDbException"/> of kind NotSupported when the algorithm is not available.</summary>
    public static void EnsureSupported(Compression compression)
    {
        var refusal = Probe(compression);
        if (refusal is not null)
        {
            throw new RocksDbException(
                $"Compression {compression} is not supported by the loaded librocksdb: {refusal}", RocksDbStatusKind.NotSupported);
        }
    }

    private static string? Probe(Compression compression)
    {
        if (compression == Compression.None)
        {
            return null;
        }

        if (!Enum.IsDefined(compression))
        {
            return $"unknown compression code {(int)compression}";
        }

        return Probed.GetOrAdd(compression, static c => ProbeByOpening(c));
    }

    private static string? ProbeByOpening(Compression compression)
    {
        var dir = Path.Combine(Path.GetTempPath(), "cairn-rocksdb-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var options = new OptionsSafeHandle();
            options.Attach(NativeMethods.rocksdb_options_create());
            NativeMethods.rocksdb_options_set_create_if_missing(options, 1);
            NativeMethods.rocksdb_options_set_compression(options, (int)compression);
            var db = NativeMethods.rocksdb_open(options, dir, out var err);
            if (err != IntPtr.Zero)
            {
                return NativeMethods.TakeString(err);
            }

            NativeMethods.rocksdb_close(db);
            return null;
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
                // Open failed before creating anything.
            }
        }
    }
}
