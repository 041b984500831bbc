namespace Cairn.Br.Filter;

/// <summary>TiDB table-filter rules (globs, <c>!</c>, backquoted names; the last matching rule wins).</summary>
public sealed class TableFilter
{
    /// <summary>Parses <paramref name="rules"/>; throws <see cref="FormatException"/> naming a malformed rule.</summary>
    public static TableFilter Parse(IEnumerable<string> rules, bool caseSensitive = false) =>
        throw new NotImplementedException("the table filter is built on branch br-meta");

    /// <summary>Whether table <paramref name="table"/> of database <paramref name="database"/> is selected.</summary>
    public bool MatchTable(string database, string table) => throw new NotImplementedException();

    /// <summary>Whether any table of <paramref name="database"/> may be selected.</summary>
    public bool MatchSchema(string database) => throw new NotImplementedException();
}
