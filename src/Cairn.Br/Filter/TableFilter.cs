namespace Cairn.Br.Filter;

/// <summary>
/// Chooses tables by TiDB table-filter rules (https://docs.pingcap.com/tidb/stable/table-filter): each rule is
/// <c>[!]schema.table</c> with wildcards (<c>* ? [a-z] [!a-z]</c>, <c>\</c> escapes), quoted literals
/// (<c>`a.b`.`c*`</c>) or <c>/regexp/</c>; the last matching rule decides and a table no rule matches is excluded.
/// Matching ignores case unless the filter was made case-sensitive.
/// </summary>
public sealed class TableFilter
{
    private static readonly string[] RestoreDefaultRules =
    [
        "*.*", "!__TiDB_BR_Temporary_*.*", "!mysql.*", "!sys.*", "!INFORMATION_SCHEMA.*", "!PERFORMANCE_SCHEMA.*",
        "!METRICS_SCHEMA.*", "!INSPECTION_SCHEMA.*",
    ];

    private readonly FilterRule[] _rules;

    // Exact filters (ForSchemas/ForTables) may name thousands of tables, so they look names up instead of walking
    // rules; a null table set means every table of that database.
    private readonly Dictionary<string, HashSet<string>?>? _exact;
    private readonly bool _caseSensitive;
    private readonly string _text;

    private TableFilter(FilterRule[] rules, Dictionary<string, HashSet<string>?>? exact, bool caseSensitive, string text)
    {
        _rules = rules;
        _exact = exact;
        _caseSensitive = caseSensitive;
        _text = text;
    }

    /// <summary>Every table: <c>*.*</c>.</summary>
    public static TableFilter All { get; } = Parse(["*.*"]);

    /// <summary>
    /// What <c>br restore full</c> takes when no filter is given: everything except the system databases (mysql, sys,
    /// INFORMATION_SCHEMA, PERFORMANCE_SCHEMA, METRICS_SCHEMA, INSPECTION_SCHEMA) and BR's temporary ones.
    /// </summary>
    public static TableFilter RestoreDefault { get; } = Parse(RestoreDefaultRules);

    /// <summary>Whether names are compared case-sensitively.</summary>
    public bool CaseSensitive => _caseSensitive;

    /// <summary>
    /// Parses <paramref name="rules"/> (one rule each; blank and <c>#</c> entries skipped; <c>@path</c> imports a file
    /// of rules, one a line). Throws <see cref="FormatException"/> naming the first malformed rule and what is wrong.
    /// </summary>
    public static TableFilter Parse(IEnumerable<string> rules, bool caseSensitive = false)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var parsed = new List<FilterRule>();
        foreach (var rule in rules)
        {
            RuleParser.ParseInto(rule, caseSensitive, allowImport: true, parsed);
        }
        return new TableFilter([.. parsed], null, caseSensitive, Describe(parsed.Select(r => r.ToString()), caseSensitive));
    }

    /// <summary>Every table of the named databases (exact names, no wildcards).</summary>
    public static TableFilter ForSchemas(IEnumerable<string> databases, bool caseSensitive = false)
    {
        ArgumentNullException.ThrowIfNull(databases);
        var exact = new Dictionary<string, HashSet<string>?>(Comparer(caseSensitive));
        foreach (var database in databases)
        {
            ArgumentException.ThrowIfNullOrEmpty(database);
            exact[database] = null;
        }
        return Exact(exact, caseSensitive);
    }

    /// <summary>Exactly the named tables (exact names, no wildcards).</summary>
    public static TableFilter ForTables(IEnumerable<(string Database, string Table)> tables, bool caseSensitive = false)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var comparer = Comparer(caseSensitive);
        var exact = new Dictionary<string, HashSet<string>?>(comparer);
        foreach (var (database, table) in tables)
        {
            ArgumentException.ThrowIfNullOrEmpty(database);
            ArgumentException.ThrowIfNullOrEmpty(table);
            if (!exact.TryGetValue(database, out var set) || set is null)
            {
                set = new HashSet<string>(comparer);
                exact[database] = set;
            }
            set.Add(table);
        }
        return Exact(exact, caseSensitive);
    }

    /// <summary>
    /// Splits a qualified table name: <c>db.t</c>, or with backquotes around a part that holds dots or backquotes
    /// (<c>`a.b`.`c`</c>, a backquote doubled inside). Throws <see cref="FormatException"/> when it is not exactly two
    /// non-empty parts.
    /// </summary>
    public static (string Database, string Table) ParseTableName(string qualified)
    {
        ArgumentNullException.ThrowIfNull(qualified);
        var text = qualified.Trim();
        var position = 0;
        var database = ReadNamePart(qualified, text, ref position, "database");
        if (position >= text.Length || text[position] != '.')
        {
            throw NameError(qualified, "missing '.' between the database and the table");
        }
        position++;
        var table = ReadNamePart(qualified, text, ref position, "table");
        if (position < text.Length)
        {
            throw NameError(qualified, $"unexpected '{text[position]}' after the table name");
        }
        return (database, table);
    }

    /// <summary>Whether table <paramref name="table"/> of database <paramref name="database"/> is selected.</summary>
    public bool MatchTable(string database, string table)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(table);
        if (_exact is not null)
        {
            return _exact.TryGetValue(database, out var tables) && (tables is null || tables.Contains(table));
        }
        for (var i = _rules.Length - 1; i >= 0; i--)
        {
            var rule = _rules[i];
            if (rule.Schema.IsMatch(database) && rule.Table.IsMatch(table))
            {
                return !rule.Negated;
            }
        }
        return false;
    }

    /// <summary>
    /// Whether some table of <paramref name="database"/> may be selected, as BR decides it before listing tables: the
    /// last rule whose schema pattern matches and that is either positive or excludes the whole database (table
    /// pattern <c>*</c>) decides; <c>*.*, !db.t1</c> still accepts <c>db</c>, <c>*.*, !db.*</c> rejects it.
    /// </summary>
    public bool MatchSchema(string database)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (_exact is not null)
        {
            return _exact.ContainsKey(database);
        }
        for (var i = _rules.Length - 1; i >= 0; i--)
        {
            var rule = _rules[i];
            if (rule.Schema.IsMatch(database) && (!rule.Negated || rule.Table.MatchesAll))
            {
                return !rule.Negated;
            }
        }
        return false;
    }

    /// <summary>
    /// The rules in canonical form (literals backquoted, imports expanded, comments dropped, lower case unless
    /// case-sensitive), comma-separated, with
    /// <c>(case-sensitive)</c> appended when it is: two filters that select the same way by the same rules print the
    /// same, so checkpoints use this as a fingerprint.
    /// </summary>
    public override string ToString() => _text;

    private static TableFilter Exact(Dictionary<string, HashSet<string>?> exact, bool caseSensitive)
    {
        var rules = new List<string>();
        foreach (var (database, tables) in exact)
        {
            var schema = NamePattern.Quote(NamePattern.Fold(database, caseSensitive));
            if (tables is null)
            {
                rules.Add(schema + ".*");
                continue;
            }
            foreach (var table in tables)
            {
                rules.Add(schema + "." + NamePattern.Quote(NamePattern.Fold(table, caseSensitive)));
            }
        }
        // Order means nothing for exact names, so sort for a stable fingerprint.
        rules.Sort(StringComparer.Ordinal);
        return new TableFilter([], exact, caseSensitive, Describe(rules, caseSensitive));
    }

    private static string Describe(IEnumerable<string> rules, bool caseSensitive) =>
        string.Join(", ", rules) + (caseSensitive ? " (case-sensitive)" : "");

    private static StringComparer Comparer(bool caseSensitive) =>
        caseSensitive ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;

    private static string ReadNamePart(string qualified, string text, ref int position, string what)
    {
        var name = new System.Text.StringBuilder();
        if (position < text.Length && text[position] == '`')
        {
            var i = position + 1;
            while (true)
            {
                if (i >= text.Length)
                {
                    throw NameError(qualified, $"unterminated backquote in the {what} name");
                }
                if (text[i] == '`')
                {
                    if (i + 1 < text.Length && text[i + 1] == '`')
                    {
                        name.Append('`');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                name.Append(text[i]);
                i++;
            }
            position = i;
        }
        else
        {
            while (position < text.Length && text[position] != '.')
            {
                if (text[position] == '`')
                {
                    throw NameError(qualified, $"a backquoted {what} name must be quoted whole");
                }
                name.Append(text[position]);
                position++;
            }
        }
        if (name.Length == 0)
        {
            throw NameError(qualified, $"empty {what} name");
        }
        return name.ToString();
    }

    private static FormatException NameError(string qualified, string reason) =>
        new($"invalid table name '{qualified}': {reason}; write database.table, with backquotes around a name that holds a dot (`a.b`.`c`)");
}
