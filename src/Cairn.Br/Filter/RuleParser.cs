using System.Text;
using System.Text.RegularExpressions;

namespace Cairn.Br.Filter;

/// <summary>
/// Parses TiDB table-filter rules (tidb-tools' syntax): <c>[!]schema.table</c> where each side is a wildcard
/// pattern (<c>* ? [a-z] [!a-z]</c>, <c>\</c> escapes), a quoted literal (<c>`…`</c> or <c>"…"</c>, the quote doubled
/// inside) or a <c>/regexp/</c>; <c>@file</c> imports one rule per line; blank lines and <c>#</c> lines are skipped.
/// </summary>
internal static class RuleParser
{
    // '?' matches one code point, so a surrogate pair counts as one character.
    private const string AnyCodePoint = @"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|.)";

    public static void ParseInto(string rule, bool caseSensitive, bool allowImport, List<FilterRule> into)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var line = rule.Trim(' ', '\t');
        if (line.Length == 0 || line[0] == '#')
        {
            return;
        }
        var position = 0;
        var negated = false;
        if (line[0] == '!')
        {
            negated = true;
            position = 1;
            if (position < line.Length && line[position] == '@')
            {
                throw Error(rule, "'!@' is not allowed: an import cannot be negated; put the '!' on the rules inside the file");
            }
        }
        else if (line[0] == '@')
        {
            if (!allowImport)
            {
                throw Error(rule, "a filter file cannot import another file; list its rules directly");
            }
            Import(line[1..].Trim(' ', '\t'), rule, caseSensitive, into);
            return;
        }

        var schema = ParsePattern(rule, line, ref position, "schema", caseSensitive);
        if (position >= line.Length)
        {
            throw Error(rule, "missing '.' between the schema and table patterns; write schema.table, for example db.* or *.*");
        }
        if (line[position] != '.')
        {
            throw Unexpected(rule, line, position);
        }
        position++;
        var table = ParsePattern(rule, line, ref position, "table", caseSensitive);
        if (position < line.Length)
        {
            throw line.AsSpan(position).TrimStart(" \t")[0] == '#'
                ? Error(rule, "a comment must start its own line ('#' after a rule is not allowed)")
                : Error(rule, $"unexpected '{line[position]}' after the table pattern (at character {position + 1}); a rule is one schema.table pattern");
        }
        into.Add(new FilterRule(negated, schema, table));
    }

    private static void Import(string path, string rule, bool caseSensitive, List<FilterRule> into)
    {
        if (path.Length == 0)
        {
            throw Error(rule, "'@' must be followed by the path of a filter file");
        }
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Error(rule, $"cannot read the filter file '{path}': {e.Message}");
        }
        for (var i = 0; i < lines.Length; i++)
        {
            try
            {
                ParseInto(lines[i], caseSensitive, allowImport: false, into);
            }
            catch (FormatException e)
            {
                throw new FormatException($"{path} line {i + 1}: {e.Message}", e);
            }
        }
    }

    private static NamePattern ParsePattern(string rule, string line, ref int position, string side, bool caseSensitive)
    {
        if (position >= line.Length || line[position] == '.')
        {
            throw Error(rule, $"empty {side} pattern; use * to match every {side}");
        }
        var c = line[position];
        if (c is '`' or '"')
        {
            return ParseQuoted(rule, line, ref position, side, caseSensitive);
        }
        if (c == '/')
        {
            return ParseRegexp(rule, line, ref position, side, caseSensitive);
        }
        return ParseWildcard(rule, line, ref position, side, caseSensitive);
    }

    private static NamePattern ParseQuoted(string rule, string line, ref int position, string side, bool caseSensitive)
    {
        var quote = line[position];
        var name = new StringBuilder();
        var i = position + 1;
        while (true)
        {
            if (i >= line.Length)
            {
                throw Error(rule, $"unterminated {quote} in the {side} pattern; close the quoted name (double the quote to include one)");
            }
            if (line[i] == quote)
            {
                if (i + 1 < line.Length && line[i + 1] == quote)
                {
                    name.Append(quote);
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            name.Append(line[i]);
            i++;
        }
        if (i < line.Length && line[i] != '.')
        {
            throw Error(rule, $"a quoted name must be the whole {side} pattern (found '{line[i]}' after the closing {quote})");
        }
        if (name.Length == 0)
        {
            throw Error(rule, $"empty quoted {side} name");
        }
        position = i;
        return NamePattern.Literal(name.ToString(), caseSensitive);
    }

    private static NamePattern ParseRegexp(string rule, string line, ref int position, string side, bool caseSensitive)
    {
        var start = position;
        var regex = new StringBuilder();
        var i = position + 1;
        while (true)
        {
            if (i >= line.Length)
            {
                throw Error(rule, $"unterminated /regexp/ in the {side} pattern; end it with '/' (write \\/ for a slash inside)");
            }
            var c = line[i];
            if (c == '/')
            {
                i++;
                break;
            }
            if (c == '\\' && i + 1 < line.Length)
            {
                if (line[i + 1] != '/')
                {
                    regex.Append('\\');
                }
                regex.Append(line[i + 1]);
                i += 2;
                continue;
            }
            regex.Append(c);
            i++;
        }
        if (regex.Length == 0)
        {
            throw Error(rule, $"empty /regexp/ in the {side} pattern");
        }
        position = i;
        try
        {
            return NamePattern.Regexp(line[start..i], regex.ToString(), caseSensitive);
        }
        catch (ArgumentException e)
        {
            throw Error(rule, $"invalid regular expression in the {side} pattern: {e.Message}");
        }
    }

    private static NamePattern ParseWildcard(string rule, string line, ref int position, string side, bool caseSensitive)
    {
        var start = position;
        var regex = new StringBuilder();
        var literal = new StringBuilder();
        var hasWildcard = false;
        var i = position;
        while (i < line.Length)
        {
            var c = line[i];
            if (c == '*')
            {
                regex.Append(".*");
                hasWildcard = true;
                i++;
            }
            else if (c == '?')
            {
                regex.Append(AnyCodePoint);
                hasWildcard = true;
                i++;
            }
            else if (c == '[')
            {
                i = ParseClass(rule, line, i, side, regex);
                hasWildcard = true;
            }
            else if (c == '\\')
            {
                if (i + 1 >= line.Length)
                {
                    throw Error(rule, $"'\\' at the end of the {side} pattern escapes nothing");
                }
                var escaped = line[i + 1];
                if (char.IsAsciiLetterOrDigit(escaped))
                {
                    throw Error(rule, $"'\\{escaped}' is not a valid escape: '\\' only makes a symbol literal, letters and digits need none");
                }
                regex.Append(Regex.Escape(escaped.ToString()));
                literal.Append(escaped);
                i += 2;
            }
            else if (IsPlain(c))
            {
                regex.Append(Regex.Escape(c.ToString()));
                literal.Append(c);
                i++;
            }
            else
            {
                break;
            }
        }
        if (i == start)
        {
            throw Unexpected(rule, line, i);
        }
        position = i;
        if (!hasWildcard)
        {
            return NamePattern.Literal(literal.ToString(), caseSensitive);
        }
        try
        {
            return NamePattern.Wildcard(line[start..i], regex.ToString(), caseSensitive);
        }
        catch (ArgumentException e)
        {
            throw Error(rule, $"invalid character class in the {side} pattern: {e.Message}");
        }
    }

    /// <summary>Translates <c>[…]</c> / <c>[!…]</c> at <paramref name="i"/>; returns the index after the closing bracket.</summary>
    private static int ParseClass(string rule, string line, int i, string side, StringBuilder regex)
    {
        i++;
        regex.Append('[');
        // "[!]" is a class holding '!', as in tidb-tools, where the '!' only negates when a member follows.
        if (i + 1 < line.Length && line[i] == '!' && line[i + 1] != ']')
        {
            regex.Append('^');
            i++;
        }
        var members = 0;
        while (true)
        {
            if (i >= line.Length)
            {
                throw Error(rule, $"unterminated '[' in the {side} pattern; close the character class with ']'");
            }
            var c = line[i];
            if (c == ']')
            {
                if (members == 0)
                {
                    throw Error(rule, $"empty character class '[]' in the {side} pattern");
                }
                regex.Append(']');
                return i + 1;
            }
            if (c == '\\')
            {
                if (i + 1 >= line.Length || char.IsAsciiLetterOrDigit(line[i + 1]))
                {
                    throw Error(rule, $"invalid escape inside '[…]' in the {side} pattern: '\\' only makes a symbol literal");
                }
                c = line[i + 1];
                regex.Append('\\').Append(c);
                i += 2;
            }
            else
            {
                // '^' is a plain member here ("[!" negates); '[' and '\' would mean something to .NET's class syntax.
                if (c is '^' or '[')
                {
                    regex.Append('\\');
                }
                regex.Append(c);
                i++;
            }
            members++;
        }
    }

    private static bool IsPlain(char c) => char.IsAsciiLetterOrDigit(c) || c is '$' or '_' || c >= 0x80;

    private static FormatException Unexpected(string rule, string line, int position) =>
        Error(rule, $"unexpected '{line[position]}' at character {position + 1}; put names with such characters in backquotes (`my-db`.`t`) or escape the character with '\\'");

    private static FormatException Error(string rule, string reason) =>
        new($"invalid table filter rule '{rule}': {reason}");
}
