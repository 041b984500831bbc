namespace Cairn.Br.Filter;

/// <summary>One parsed rule: <c>[!]schema.table</c>.</summary>
internal sealed record FilterRule(bool Negated, NamePattern Schema, NamePattern Table)
{
    /// <summary>The rule in canonical text (quoted literals, imports expanded, comments gone).</summary>
    public override string ToString() => (Negated ? "!" : "") + Schema.Canonical + "." + Table.Canonical;
}
