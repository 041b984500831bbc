using System.CommandLine;
using Cairn.Br.Filter;
using Cairn.Hosting;

namespace Cairn.Cli.Flags;

/// <summary>
/// BR's flags persistent on <c>restore</c> (br-spec §a, "Restore flags"): <c>--online</c>,
/// <c>--switch-mode-interval</c>, and <c>--rename</c> (repeatable) for restoring tables under other names.
/// </summary>
internal sealed class RestoreFlags
{
    /// <summary>BR's interval between two import-mode switches sent to the stores.</summary>
    public static readonly TimeSpan DefaultSwitchModeInterval = TimeSpan.FromMinutes(5);

    public Option<bool> Online { get; } = new("--online")
    {
        Description = "restore without import mode, onto stores labelled exclusive=restore (experimental)",
        Recursive = true,
    };

    public Option<string?> SwitchModeInterval { get; } = new("--switch-mode-interval")
    {
        Description = "how often the stores are told again to stay in import mode (default 5m; must be more than 0)",
        Recursive = true,
    };

    public Option<string[]> Rename { get; } = new("--rename")
    {
        Description = "restore a table under another name, src.t1=dst.t2, or a whole database, src.*=dst.* (repeatable)",
        Recursive = true,
    };

    public void AddTo(Command restore)
    {
        restore.Options.Add(Online);
        restore.Options.Add(SwitchModeInterval);
        restore.Options.Add(Rename);
    }

    public TimeSpan Interval(ParseResult parse)
    {
        if (parse.GetValue(SwitchModeInterval) is not { } text)
        {
            return DefaultSwitchModeInterval;
        }

        var interval = TimeArgs.Duration(text, "--switch-mode-interval");
        return interval > TimeSpan.Zero ? interval : throw new CliUsageException($"--switch-mode-interval must be more than 0, got '{text}' (for example 5m)");
    }

    /// <summary>The <c>--rename</c> rules, each checked; no two may move the same source or land on the same target.</summary>
    public IReadOnlyList<RenameRule> Renames(ParseResult parse)
    {
        var rules = new List<RenameRule>();
        foreach (var text in parse.GetValue(Rename) ?? [])
        {
            var rule = ParseRename(text);
            foreach (var other in rules)
            {
                if (Same(other.SourceDatabase, other.SourceTable, rule.SourceDatabase, rule.SourceTable))
                {
                    throw new CliUsageException($"--rename '{text}': {rule.SourceDatabase}.{rule.SourceTable ?? "*"} is already renamed by '{other}'");
                }

                if (Same(other.TargetDatabase, other.TargetTable, rule.TargetDatabase, rule.TargetTable))
                {
                    throw new CliUsageException($"--rename '{text}': '{other}' already restores onto {rule.TargetDatabase}.{rule.TargetTable ?? "*"}");
                }
            }

            rules.Add(rule);
        }

        return rules;
    }

    /// <summary>Parses <c>src.t1=dst.t2</c> or <c>src.*=dst.*</c>.</summary>
    internal static RenameRule ParseRename(string text)
    {
        var parts = (text ?? "").Split('=');
        if (parts.Length != 2)
        {
            throw new CliUsageException($"--rename '{text}' is not src.table=dst.table (or src.*=dst.* for a database): it needs exactly one '='");
        }

        var (sourceDb, sourceTable) = Side(text!, parts[0], "source");
        var (targetDb, targetTable) = Side(text!, parts[1], "target");
        if ((sourceTable is null) != (targetTable is null))
        {
            throw new CliUsageException($"--rename '{text}': a database rule has * on both sides (src.*=dst.*), a table rule a table on both");
        }

        if (Same(sourceDb, sourceTable, targetDb, targetTable))
        {
            throw new CliUsageException($"--rename '{text}' renames {sourceDb}.{sourceTable ?? "*"} to itself");
        }

        return new RenameRule(sourceDb, sourceTable, targetDb, targetTable);
    }

    private static (string Database, string? Table) Side(string text, string side, string which)
    {
        var value = side.Trim();
        if (value.EndsWith(".*", StringComparison.Ordinal))
        {
            var database = value[..^2].Trim('`');
            if (database.Length == 0 || database.Contains('*', StringComparison.Ordinal))
            {
                throw new CliUsageException($"--rename '{text}': the {which} database is missing before .*");
            }

            return (database, null);
        }

        try
        {
            var (database, table) = TableFilter.ParseTableName(value);
            if (table.Contains('*', StringComparison.Ordinal) || database.Contains('*', StringComparison.Ordinal))
            {
                throw new CliUsageException($"--rename '{text}': wildcards other than a whole database (src.*=dst.*) are not supported");
            }

            return (database, table);
        }
        catch (FormatException e)
        {
            throw new CliUsageException($"--rename '{text}': the {which} side: {e.Message}");
        }
    }

    private static bool Same(string db1, string? t1, string db2, string? t2) =>
        string.Equals(db1, db2, StringComparison.OrdinalIgnoreCase) && string.Equals(t1, t2, StringComparison.OrdinalIgnoreCase);
}
