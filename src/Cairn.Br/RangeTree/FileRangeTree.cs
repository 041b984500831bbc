using Cairn.Common.Keys;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.RangeTree;

/// <summary>
/// The pieces of one backup range that stores have answered, each with its files: non-overlapping raw-key ranges
/// sorted by start key. A piece that overlaps earlier ones replaces them (a region re-sent after a split or a
/// retry), so a key range is never counted twice; what no piece covers is what is left to back up. Safe for
/// concurrent use.
/// </summary>
public sealed class FileRangeTree
{
    private readonly Lock _gate = new();
    private readonly KeyRangeMap<IReadOnlyList<BackupFile>> _map = new();

    /// <summary>Number of pieces held.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _map.Count;
            }
        }
    }

    /// <summary>
    /// Records that <c>[start, end)</c> (empty end = unbounded) is backed up in <paramref name="files"/>, replacing
    /// every piece it overlaps.
    /// </summary>
    /// <returns>How many earlier pieces it replaced.</returns>
    /// <exception cref="ArgumentException">The range is empty.</exception>
    public int Put(byte[] start, byte[] end, IReadOnlyList<BackupFile> files)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        ArgumentNullException.ThrowIfNull(files);
        lock (_gate)
        {
            return _map.Add(start, end, files).Count;
        }
    }

    /// <summary>
    /// The parts of <c>[start, end)</c> (empty end = unbounded) no piece covers, in key order; empty when the range
    /// is complete.
    /// </summary>
    public IReadOnlyList<KeyRange> GetIncompleteRanges(byte[] start, byte[] end)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        var gaps = new List<KeyRange>();
        lock (_gate)
        {
            var cursor = start;
            foreach (var piece in _map.Overlapping(start, end))
            {
                if (piece.Start.AsSpan().SequenceCompareTo(cursor) > 0)
                {
                    gaps.Add(new KeyRange(cursor, piece.Start));
                }

                if (piece.End.Length == 0)
                {
                    return gaps;
                }

                if (piece.End.AsSpan().SequenceCompareTo(cursor) > 0)
                {
                    cursor = piece.End;
                }
            }

            if (end.Length == 0 || cursor.AsSpan().SequenceCompareTo(end) < 0)
            {
                gaps.Add(new KeyRange(cursor, end));
            }
        }

        return gaps;
    }

    /// <summary>A copy of the pieces in key order.</summary>
    public IReadOnlyList<KeyRangeMap<IReadOnlyList<BackupFile>>.Entry> Pieces()
    {
        lock (_gate)
        {
            return [.. _map];
        }
    }
}
