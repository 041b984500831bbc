using Cairn.RocksDb.Native;

namespace Cairn.RocksDb;

/// <summary>Per-write durability settings. Create once and reuse; the native object lives until disposed.</summary>
public sealed class WriteOptions : IDisposable
{
    /// <summary>Creates write options.</summary>
    /// <param name="sync">fsync the WAL before the write returns.</param>
    /// <param name="disableWal">Skip the WAL: the write is lost on a crash before the next flush.</param>
    /// <param name="noSlowdown">Fail with an Incomplete status instead of waiting when writes are stalled.</param>
    public WriteOptions(bool sync = false, bool disableWal = false, bool noSlowdown = false)
    {
        Sync = sync;
        DisableWal = disableWal;
        NoSlowdown = noSlowdown;
        Handle = new WriteOptionsSafeHandle();
        Handle.Attach(NativeMethods.rocksdb_writeoptions_create());
        NativeMethods.rocksdb_writeoptions_set_sync(Handle, sync ? (byte)1 : (byte)0);
        NativeMethods.rocksdb_writeoptions_disable_WAL(Handle, disableWal ? 1 : 0);
        NativeMethods.rocksdb_writeoptions_set_no_slowdown(Handle, noSlowdown ? (byte)1 : (byte)0);
    }

    /// <summary>Whether the WAL is fsynced before the write returns.</summary>
    public bool Sync { get; }

    /// <summary>Whether the WAL is skipped.</summary>
    public bool DisableWal { get; }

    /// <summary>Whether a stalled write fails instead of waiting.</summary>
    public bool NoSlowdown { get; }

    internal WriteOptionsSafeHandle Handle { get; }

    /// <inheritdoc />
    public void Dispose() => Handle.Dispose();
}
