using Cairn.Common.Keys;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Restore.Data;

/// <summary>
/// Range preparation (br-spec §d.9): files grouped by identical start key, checked against the rewrite rules, sorted,
/// and neighbouring groups merged into ranges by real byte and key limits.
/// </summary>
internal static class RangePlanner
{
    /// <summary>The file groups of one physical table in key order, with their keys rewritten.</summary>
    /// <exception cref="BrException">A file lacks a rule for one of its ends, or its ends lie in different tables.</exception>
    public static IReadOnlyList<FileGroup> GroupTable(RestoreTableData table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var groups = new List<FileGroup>();
        foreach (var files in GroupByStart(table.Files))
        {
            RewriteRule? rule = null;
            var end = files[0].EndKey.ToByteArray();
            foreach (var file in files)
            {
                rule = CheckFile(table, file);
                if (file.EndKey.Span.SequenceCompareTo(end) > 0)
                {
                    end = file.EndKey.ToByteArray();
                }
            }

            var start = files[0].StartKey.Span;
            groups.Add(new FileGroup(table, files, rule, Rewrite(start, rule!), Rewrite(end, rule!)));
        }

        return groups;
    }

    /// <summary>The file groups of a raw restore: files of <paramref name="cf"/> overlapping <c>[start, end)</c>, keys unchanged.</summary>
    public static IReadOnlyList<FileGroup> GroupRaw(IEnumerable<BackupFile> files, byte[] start, byte[] end, string cf)
    {
        ArgumentNullException.ThrowIfNull(files);
        var chosen = files.Where(f => (f.Cf.Length == 0 ? "default" : f.Cf) == cf
            && (end.Length == 0 || f.StartKey.Span.SequenceCompareTo(end) < 0)
            && (f.EndKey.IsEmpty || f.EndKey.Span.SequenceCompareTo(start) > 0));
        return [.. GroupByStart(chosen).Select(g => new FileGroup(null, g, null, g[0].StartKey.ToByteArray(),
            g.Any(f => f.EndKey.IsEmpty) ? [] : g.Select(f => f.EndKey.ToByteArray()).Max(ByteKeyComparer.Instance)!))];
    }

    /// <summary>
    /// Merges neighbouring groups (in key order) into ranges: a group without pairs always joins its left
    /// neighbour; otherwise groups of the same table and the same index (or both records) join while the range's
    /// bytes stay within <paramref name="maxBytes"/> and its pairs within <paramref name="maxKvs"/>.
    /// </summary>
    public static IReadOnlyList<RestoreRange> Merge(IReadOnlyList<FileGroup> groups, ulong maxBytes, ulong maxKvs)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var ranges = new List<RestoreRange>();
        RestoreRange? current = null;
        RewriteRule? currentRule = null;
        foreach (var group in groups)
        {
            if (current is not null && ReferenceEquals(current.Table, group.Table)
                && (group.IsEmpty || (SameRule(currentRule, group.Rule) && current.Bytes + group.Bytes <= maxBytes && current.Kvs + group.Kvs <= maxKvs)))
            {
                current = current with { End = group.End, Kvs = current.Kvs + group.Kvs, Bytes = current.Bytes + group.Bytes };
                continue;
            }

            if (current is not null)
            {
                ranges.Add(current);
            }

            current = new RestoreRange(group.Table, group.Start, group.End, group.Kvs, group.Bytes);
            currentRule = group.Rule;
        }

        if (current is not null)
        {
            ranges.Add(current);
        }

        return ranges;
    }

    /// <summary>The rule whose old prefix starts <paramref name="key"/>; null when none does.</summary>
    public static RewriteRule? Match(ReadOnlySpan<byte> key, IReadOnlyList<RewriteRule> rules)
    {
        foreach (var rule in rules)
        {
            if (key.StartsWith(rule.OldPrefix))
            {
                return rule;
            }
        }

        return null;
    }

    private static byte[] Rewrite(ReadOnlySpan<byte> key, RewriteRule rule) => [.. rule.NewPrefix, .. key[rule.OldPrefix.Length..]];

    private static bool SameRule(RewriteRule? a, RewriteRule? b) =>
        a is null ? b is null : b is not null && a.NewPrefix.AsSpan().SequenceEqual(b.NewPrefix) && a.OldPrefix.AsSpan().SequenceEqual(b.OldPrefix);

    private static RewriteRule CheckFile(RestoreTableData table, BackupFile file)
    {
        var start = file.StartKey.Span;
        var end = file.EndKey.Span;
        var startRule = Match(start, table.Rules)
            ?? throw new BrException("ErrRestoreInvalidRewrite",
                $"file {file.Name} of table {table.Database}.{table.Table} has no rewrite rule for its start key {Convert.ToHexString(start)}: the backup's schema and files disagree; check the backup with br debug validate");
        var endRule = Match(end, table.Rules)
            ?? throw new BrException("ErrRestoreInvalidRewrite",
                $"file {file.Name} of table {table.Database}.{table.Table} has no rewrite rule for its end key {Convert.ToHexString(end)}: the backup's schema and files disagree; check the backup with br debug validate");
        var startId = TableCodec.DecodeTableId(start);
        var endId = TableCodec.DecodeTableId(end);
        if (startId != endId || !SameRule(startRule, endRule))
        {
            throw new BrException("ErrRestoreTableIDMismatch",
                $"file {file.Name} of table {table.Database}.{table.Table} starts in table {startId} and ends in table {endId} (or another index): a file must lie in one table; check the backup with br debug validate");
        }

        return startRule;
    }

    private static List<List<BackupFile>> GroupByStart(IEnumerable<BackupFile> files)
    {
        var byStart = new SortedDictionary<byte[], List<BackupFile>>(ByteKeyComparer.Instance);
        foreach (var file in files)
        {
            var key = file.StartKey.ToByteArray();
            if (!byStart.TryGetValue(key, out var list))
            {
                byStart[key] = list = [];
            }

            list.Add(file);
        }

        return [.. byStart.Values];
    }
}
