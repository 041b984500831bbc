using Cairn.RocksDb;

namespace Cairn.Store.Backup;

/// <summary>
/// What the delta scans of one incremental backup request read of the write CF, summed over its region pieces: SSTs
/// read and skipped by their MVCC properties and their block bytes. A file that spans several pieces is counted once
/// per piece that reaches it. Thread-safe.
/// </summary>
internal sealed class DeltaScanStats
{
    private long _pieces;
    private long _filesRead;
    private long _filesSkipped;
    private long _bytesRead;
    private long _bytesSkipped;
    private long _filesWithoutProperties;

    public long Pieces => Interlocked.Read(ref _pieces);

    public long FilesRead => Interlocked.Read(ref _filesRead);

    public long FilesSkipped => Interlocked.Read(ref _filesSkipped);

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public long BytesSkipped => Interlocked.Read(ref _bytesSkipped);

    public long FilesWithoutProperties => Interlocked.Read(ref _filesWithoutProperties);

    /// <summary>Adds the counters of one piece's scan.</summary>
    public void Add(MvccTableFilterCounters counters)
    {
        Interlocked.Increment(ref _pieces);
        Interlocked.Add(ref _filesRead, (long)counters.FilesRead);
        Interlocked.Add(ref _filesSkipped, (long)counters.FilesSkipped);
        Interlocked.Add(ref _bytesRead, (long)counters.BytesRead);
        Interlocked.Add(ref _bytesSkipped, (long)counters.BytesSkipped);
        Interlocked.Add(ref _filesWithoutProperties, (long)counters.FilesWithoutProperties);
    }
}
