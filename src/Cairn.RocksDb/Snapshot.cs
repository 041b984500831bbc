using Cairn.RocksDb.Native;

namespace Cairn.RocksDb;

/// <summary>
/// A consistent point-in-time view of the database. Reads through <see cref="ReadOptions.Snapshot"/> do not see
/// later writes. The database stays open while a snapshot is alive. Dispose snapshots promptly: files ingested
/// while one is open get a non-zero global sequence number and are later rewritten by a bottommost compaction.
/// </summary>
public sealed class Snapshot : IDisposable
{
    internal Snapshot(SnapshotSafeHandle handle) => Handle = handle;

    internal SnapshotSafeHandle Handle { get; }

    /// <inheritdoc />
    public void Dispose() => Handle.Dispose();
}
