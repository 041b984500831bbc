namespace Cairn.RocksDb;

/// <summary>Options of <see cref="RocksDb.IngestExternalFiles"/> (RocksDB's <c>IngestExternalFileOptions</c>).</summary>
public sealed record IngestOptions
{
    /// <summary>Hard-link the files into the database (the source paths are removed on success) instead of copying them.
    /// The files must be on the database's file system.</summary>
    public bool MoveFiles { get; init; }

    /// <summary>Keep reads through snapshots taken before the ingest from seeing the ingested keys.</summary>
    public bool SnapshotConsistency { get; init; } = true;

    /// <summary>Allow the files to get a global sequence number when they overlap existing data; when false,
    /// such an ingest fails.</summary>
    public bool AllowGlobalSeqno { get; init; } = true;

    /// <summary>Flush a memtable that overlaps the files first; when false, such an ingest fails.</summary>
    public bool AllowBlockingFlush { get; init; } = true;

    /// <summary>Put the files at the bottom, under existing data (needs <c>allow_ingest_behind</c> on the database).</summary>
    public bool IngestBehind { get; init; }

    /// <summary>Write an assigned global sequence number into the file itself rather than only into the manifest.
    /// Not exposed by the 7.8 C API; see <see cref="RocksDb.IngestExternalFiles"/> for how it is set.</summary>
    public bool WriteGlobalSeqno { get; init; }

    /// <summary>Refuse to ingest while the database has live snapshots: the ingested files would get global
    /// sequence numbers and later be rewritten whole by a bottommost compaction.</summary>
    public bool FailIfSnapshotsOpen { get; init; }
}
