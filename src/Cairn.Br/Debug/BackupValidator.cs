using Cairn.Common.Keys;
using Cairn.Storage;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Debug;

/// <summary>
/// <c>br debug backupmeta validate</c>: puts every file's range into a range tree to find overlaps, then simulates a
/// restore's rewrite rules, giving each table and partition a new ID counted up from an offset (as a cluster whose
/// ID allocator stands there would), and checks that every file maps to exactly one rule.
/// </summary>
public static class BackupValidator
{
    /// <summary>Validates the backup in <paramref name="storage"/>; new IDs start at <paramref name="offset"/> + 1.</summary>
    public static Task<ValidationReport> ValidateAsync(IExternalStorage storage, long offset = 0, CancellationToken cancellationToken = default) =>
        ValidateAsync(storage, offset, null, cancellationToken);

    /// <summary>The validation of a backup that may be encrypted, read with <paramref name="encryption"/>.</summary>
    public static async Task<ValidationReport> ValidateAsync(IExternalStorage storage, long offset, Crypto.BackupEncryption? encryption, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var (reader, files, tables) = await LoadedBackup.LoadAsync(storage, encryption, cancellationToken).ConfigureAwait(false);
        var issues = new List<FileIssue>();
        var (ranges, overlaps) = FindOverlaps(files, issues);

        var rules = new List<SimulatedRewrite>();
        if (!reader.Meta.IsRawKv)
        {
            var next = offset;
            foreach (var table in tables)
            {
                // The logical table takes an ID even when its data lives under partition IDs, as in a restore.
                var logical = ++next;
                if (table.PhysicalIds is [var only] && only == table.Id)
                {
                    rules.Add(new SimulatedRewrite(table.QualifiedName, table.Id, logical));
                    continue;
                }
                foreach (var id in table.PhysicalIds)
                {
                    rules.Add(new SimulatedRewrite(table.QualifiedName, id, ++next));
                }
            }
            CheckRewrites(files, rules, issues);
        }
        return new ValidationReport(files.Count, ranges, overlaps, rules, issues);
    }

    private static (int Ranges, List<RangeOverlap> Overlaps) FindOverlaps(List<BackupFile> files, List<FileIssue> issues)
    {
        var sorted = files.OrderBy(f => f.StartKey.ToByteArray(), ByteKeyComparer.Instance)
            .ThenBy(f => f.EndKey.ToByteArray(), ByteKeyComparer.Instance)
            .ThenBy(f => f.Cf, StringComparer.Ordinal)
            .ToList();
        var tree = new KeyRangeMap<BackupFile>();
        var overlaps = new List<RangeOverlap>();
        BackupFile? previous = null;
        var ranges = 0;
        foreach (var file in sorted)
        {
            var start = file.StartKey.ToByteArray();
            var end = file.EndKey.ToByteArray();
            if (end.Length != 0 && start.AsSpan().SequenceCompareTo(end) >= 0)
            {
                issues.Add(new FileIssue(file.Name, $"{file.Name} has an empty key range [{Convert.ToHexString(start)}, {Convert.ToHexString(end)})"));
                continue;
            }
            if (previous is not null && previous.StartKey == file.StartKey && previous.EndKey == file.EndKey)
            {
                // The default and write files of one range share it; two files of one column family do not.
                if (previous.Cf == file.Cf)
                {
                    overlaps.Add(new RangeOverlap(previous, file));
                }
                previous = file;
                continue;
            }
            foreach (var entry in tree.Overlapping(start, end))
            {
                overlaps.Add(new RangeOverlap(entry.Value, file));
            }
            tree.Add(start, end, file);
            previous = file;
            ranges++;
        }
        return (ranges, overlaps);
    }

    private static void CheckRewrites(List<BackupFile> files, List<SimulatedRewrite> rules, List<FileIssue> issues)
    {
        var byOldId = new Dictionary<long, SimulatedRewrite>();
        foreach (var rule in rules)
        {
            byOldId[rule.OldId] = rule;
        }
        foreach (var file in files)
        {
            var startId = TableCodec.DecodeTableId(file.StartKey.Span);
            var endId = TableCodec.DecodeTableId(file.EndKey.Span);
            if (!byOldId.ContainsKey(startId))
            {
                issues.Add(new FileIssue(file.Name, $"{file.Name} starts in table ID {startId}, which no table in the backup has: a restore has no rewrite rule for it"));
            }
            else if (file.EndKey.IsEmpty || !byOldId.ContainsKey(endId))
            {
                issues.Add(new FileIssue(file.Name, $"{file.Name} ends outside any backed-up table (end key {Convert.ToHexString(file.EndKey.Span)}): a restore has no rewrite rule for its end"));
            }
            else if (startId != endId)
            {
                issues.Add(new FileIssue(file.Name, $"{file.Name} spans tables {startId} and {endId}: one file must hold one table"));
            }
        }
    }
}
