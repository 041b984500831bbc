namespace Cairn.Br.Restore;

/// <summary>
/// One table route of a restore (<c>--rename</c>): <c>src.t1=dst.t2</c> restores table <c>src.t1</c> of the backup as
/// <c>dst.t2</c>; <c>src.*=dst.*</c> restores every table and view of database <c>src</c> into database <c>dst</c>
/// under their own names. Names are matched case-insensitively, as the catalog does.
/// </summary>
/// <param name="SourceDatabase">The database in the backup.</param>
/// <param name="SourceTable">The table or view in the backup; <see langword="null"/> for the whole-database form.</param>
/// <param name="TargetDatabase">The database restored into.</param>
/// <param name="TargetTable">The new table name; <see langword="null"/> for the whole-database form.</param>
public sealed record TableRename(string SourceDatabase, string? SourceTable, string TargetDatabase, string? TargetTable)
{
    /// <summary>Whether this route moves a whole database.</summary>
    public bool IsDatabase => SourceTable is null;

    /// <summary>Parses <c>src.t1=dst.t2</c> or <c>src.*=dst.*</c>; names may be quoted in backticks (<c>`a.b`.`c`</c>).</summary>
    /// <exception cref="BrException"><c>ErrInvalidArgument</c> naming the malformed route.</exception>
    public static TableRename Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = SplitOutsideQuotes(text.Trim(), '=');
        if (parts.Count != 2)
        {
            throw Invalid(text);
        }

        var (sourceDb, sourceTable) = Qualified(parts[0], text);
        var (targetDb, targetTable) = Qualified(parts[1], text);
        if ((sourceTable == "*") != (targetTable == "*"))
        {
            throw Invalid(text);
        }

        return sourceTable == "*"
            ? new TableRename(sourceDb, null, targetDb, null)
            : new TableRename(sourceDb, sourceTable, targetDb, targetTable);
    }

    /// <inheritdoc />
    public override string ToString() => $"{SourceDatabase}.{SourceTable ?? "*"}={TargetDatabase}.{TargetTable ?? "*"}";

    private static (string Database, string Table) Qualified(string part, string text)
    {
        var names = SplitOutsideQuotes(part.Trim(), '.');
        if (names.Count != 2)
        {
            throw Invalid(text);
        }

        var database = Unquote(names[0].Trim(), text);
        var table = names[1].Trim() == "*" ? "*" : Unquote(names[1].Trim(), text);
        if (database.Length == 0 || table.Length == 0 || database == "*")
        {
            throw Invalid(text);
        }

        return (database, table);
    }

    private static string Unquote(string name, string text)
    {
        if (name.Length >= 2 && name[0] == '`' && name[^1] == '`')
        {
            return name[1..^1].Replace("``", "`", StringComparison.Ordinal);
        }

        if (name.Contains('`', StringComparison.Ordinal))
        {
            throw Invalid(text);
        }

        return name;
    }

    private static List<string> SplitOutsideQuotes(string text, char separator)
    {
        var parts = new List<string>();
        var quoted = false;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '`')
            {
                quoted = !quoted;
            }
            else if (text[i] == separator && !quoted)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    private static BrException Invalid(string text) =>
        new("ErrInvalidArgument", $"--rename '{text}' is not a table route: write 'src_db.src_table=dst_db.dst_table' for one table or 'src_db.*=dst_db.*' for a whole database");
}
