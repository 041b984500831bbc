namespace Cairn.RocksDb;

/// <summary>Options of <see cref="RocksDatabase.IngestExternalFiles"/> (RocksDB's <c>IngestExternalFileOptions</c>).</summary>
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

    /// <summary>
    /// Write an assigned global sequence number into the ingested file itself, not only into the manifest
    /// (RocksDB 7.8's default is true). Turning it off avoids rewriting a block of the file (and so a moved
    /// file's source through the hard link). The 7.8 C API has no setter; the binding sets the field directly
    /// after checking the option struct's layout against the setters that do exist, and throws
    /// <see cref="NotSupportedException"/> if the layout is not the expected one.
    /// </summary>
    public bool WriteGlobalSeqno { get; init; } = true;

    /// <summary>Refuse to ingest while the database has live snapshots: the ingested files would get global
    /// sequence numbers and later be rewritten whole by a bottommost compaction.</summary>
    public bool FailIfSnapshotsOpen { get; init; }
}
