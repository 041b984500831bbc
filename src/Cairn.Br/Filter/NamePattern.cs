using System.Text.RegularExpressions;

namespace Cairn.Br.Filter;

/// <summary>One side of a rule (the schema or the table pattern), compiled once.</summary>
internal sealed class NamePattern
{
    private readonly string? _literal;
    private readonly Regex? _regex;
    private readonly StringComparison _comparison;

    private NamePattern(string canonical, string? literal, Regex? regex, bool matchesAll, bool caseSensitive)
    {
        Canonical = canonical;
        _literal = literal;
        _regex = regex;
        MatchesAll = matchesAll;
        _comparison = caseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
    }

    /// <summary>The pattern exactly as a rule would spell it; equal patterns spell the same.</summary>
    public string Canonical { get; }

    /// <summary>Whether this is the bare <c>*</c>, which BR's schema check treats specially.</summary>
    public bool MatchesAll { get; }

    // Without case, Employees and employees are the same rule, so they print the same (a regexp keeps its text: lower
    // casing it could change its meaning, \D into \d).
    public static NamePattern Literal(string name, bool caseSensitive) =>
        new(Quote(Fold(name, caseSensitive)), name, null, false, caseSensitive);

    public static NamePattern Wildcard(string text, string regex, bool caseSensitive) =>
        new(Fold(text, caseSensitive), null, Compile("^(?:" + regex + ")$", caseSensitive), text == "*", caseSensitive);

    public static NamePattern Regexp(string text, string regex, bool caseSensitive) =>
        new(text, null, Compile(regex, caseSensitive), false, caseSensitive);

    public bool IsMatch(string name)
    {
        if (MatchesAll)
        {
            return true;
        }
        return _literal is not null ? string.Equals(_literal, name, _comparison) : _regex!.IsMatch(name);
    }

    /// <summary>The name as a case-insensitive filter prints it.</summary>
    public static string Fold(string name, bool caseSensitive) => caseSensitive ? name : name.ToLowerInvariant();

    /// <summary>Backquotes a name, doubling any backquote inside, so it reads back as the same literal.</summary>
    public static string Quote(string name) => "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";

    private static Regex Compile(string pattern, bool caseSensitive)
    {
        var options = RegexOptions.Singleline | RegexOptions.CultureInvariant;
        if (!caseSensitive)
        {
            options |= RegexOptions.IgnoreCase;
        }
        return new Regex(pattern, options, TimeSpan.FromSeconds(1));
    }
}
