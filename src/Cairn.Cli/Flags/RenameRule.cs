namespace Cairn.Cli.Flags;

/// <summary>
/// One <c>--rename</c> rule: the table <c>SourceDatabase.SourceTable</c> of the backup is restored as
/// <c>TargetDatabase.TargetTable</c>; a null table on both sides (<c>src.*=dst.*</c>) moves a whole database.
/// </summary>
internal sealed record RenameRule(string SourceDatabase, string? SourceTable, string TargetDatabase, string? TargetTable)
{
    /// <summary>Whether the rule moves every table of a database.</summary>
    public bool IsDatabase => SourceTable is null;

    /// <inheritdoc/>
    public override string ToString() => $"{SourceDatabase}.{SourceTable ?? "*"}={TargetDatabase}.{TargetTable ?? "*"}";
}
