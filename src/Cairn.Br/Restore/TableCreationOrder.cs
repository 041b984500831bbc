namespace Cairn.Br.Restore;

/// <summary>
/// The order tables and views are created in: all tables first, then views level by level, each view after the
/// views of this restore that it references (so a view on a view works).
/// </summary>
internal static class TableCreationOrder
{
    /// <summary>Groups that can be created one after the other; each group's members do not depend on each other.</summary>
    /// <exception cref="BrException">Views of the backup reference each other in a cycle.</exception>
    public static IEnumerable<IReadOnlyList<RestoreTarget>> Levels(IReadOnlyList<RestoreTarget> targets)
    {
        var tables = targets.Where(t => !t.Backup.IsView).ToList();
        if (tables.Count > 0)
        {
            yield return tables;
        }

        var pending = targets.Where(t => t.Backup.IsView).ToList();
        var views = pending.Select(v => v.SourceName.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            var ready = pending.Where(v => (v.Backup.View!.References ?? []).All(r => !views.Contains(r.ToLowerInvariant()) || done.Contains(r.ToLowerInvariant()))).ToList();
            if (ready.Count == 0)
            {
                throw new BrException("ErrRestoreInvalidBackup", $"views {string.Join(", ", pending.Select(v => v.SourceName))} of the backup reference each other in a cycle: the backupmeta is damaged; take the backup again");
            }

            foreach (var view in ready)
            {
                done.Add(view.SourceName.ToLowerInvariant());
                pending.Remove(view);
            }

            yield return ready;
        }
    }
}
