namespace Cairn.Br.Debug;

/// <summary>What <c>br debug backupmeta validate</c> found.</summary>
/// <param name="Files">Data files in the backup.</param>
/// <param name="Ranges">Distinct key ranges they cover (a default and a write file of one range count once).</param>
/// <param name="Overlaps">Files whose ranges overlap.</param>
/// <param name="Rules">The simulated rewrite rules, in the order the IDs were given.</param>
/// <param name="Issues">Files that would not restore: empty ranges, no rule for their table, two tables in one file.</param>
public sealed record ValidationReport(int Files, int Ranges, IReadOnlyList<RangeOverlap> Overlaps, IReadOnlyList<SimulatedRewrite> Rules, IReadOnlyList<FileIssue> Issues)
{
    /// <summary>Whether nothing was found wrong.</summary>
    public bool IsOk => Overlaps.Count == 0 && Issues.Count == 0;
}
