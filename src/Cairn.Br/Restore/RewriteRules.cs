using Cairn.Client.Catalog;
using Cairn.Common.Keys;

namespace Cairn.Br.Restore;

/// <summary>
/// The key rewrites of a restored table (br-spec §d.8): physical tables (the table, or its partitions matched by
/// name) paired old → new, and per pair the record prefix and every index prefix (indexes matched by name).
/// </summary>
internal static class RewriteRules
{
    /// <summary>Physical ids of the backed-up table paired with the restored table's.</summary>
    /// <exception cref="BrException">A partition of the backup has no partition of that name in the target.</exception>
    public static IEnumerable<(long OldId, long NewId)> PhysicalPairs(TableInfo backup, TableInfo restored)
    {
        if (backup.Partition is not { } partitions)
        {
            if (restored.Partition is not null)
            {
                throw Mismatch(backup, restored, "the target is partitioned and the backup's table is not");
            }

            yield return (backup.Id, restored.Id);
            yield break;
        }

        foreach (var partition in partitions.Definitions)
        {
            var target = restored.Partition?.Definitions.FirstOrDefault(d => d.Name.L == partition.Name.L)
                ?? throw Mismatch(backup, restored, $"partition {partition.Name.O} is missing");
            yield return (partition.Id, target.Id);
        }
    }

    /// <summary>The rules of one physical pair: the record prefix, then each index prefix.</summary>
    /// <exception cref="BrException">An index of the backup has no index of that name in the target.</exception>
    public static IReadOnlyList<RewriteRule> For(TableInfo backup, TableInfo restored, long oldId, long newId)
    {
        var rules = new List<RewriteRule> { new(TableCodec.RecordPrefix(oldId), TableCodec.RecordPrefix(newId)) };
        foreach (var index in backup.Indexes)
        {
            var target = restored.FindIndex(index.Name.O) ?? throw Mismatch(backup, restored, $"index {index.Name.O} is missing");
            rules.Add(new RewriteRule(TableCodec.IndexPrefix(oldId, index.Id), TableCodec.IndexPrefix(newId, target.Id)));
        }

        return rules;
    }

    /// <summary>
    /// The restored table's index ids mapped to the backup's, by name, as the data was rewritten (the ids of an
    /// existing target table may differ from the backup's). Indexes without a namesake are left out.
    /// </summary>
    public static IReadOnlyDictionary<long, long> IndexPairs(TableInfo backup, TableInfo restored)
    {
        var pairs = new Dictionary<long, long>();
        foreach (var index in backup.Indexes)
        {
            if (restored.FindIndex(index.Name.O) is { } target)
            {
                pairs[target.Id] = index.Id;
            }
        }

        return pairs;
    }

    private static BrException Mismatch(TableInfo backup, TableInfo restored, string what) =>
        new("ErrRestoreInvalidRewrite", $"table {restored.Name.O} in the target does not match {backup.Name.O} of the backup: {what}; restore into a fresh table (drop it, or use --rename)");
}
