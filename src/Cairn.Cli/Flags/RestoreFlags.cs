using System.CommandLine;
using Cairn.Br;
using Cairn.Br.Restore;
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

    public Option<bool> AllowExistingEmpty { get; } = new("--allow-existing-empty-tables")
    {
        Description = "restore into target tables that exist but are empty (their definitions must match the backup's)",
        Recursive = true,
    };

    public Option<string[]> Rename { get; } = new("--rename")
    {
        Description = "restore a table under another name, src.t1=dst.t2, or a whole database, src.*=dst.* (repeatable)",
        Recursive = true,
    };

    public Option<string?> CheckpointStorage { get; } = new("--checkpoint-storage")
    {
        Description = "keep the restore's checkpoint in this storage URL instead of in the target cluster",
        Recursive = true,
    };

    public void AddTo(Command restore)
    {
        restore.Options.Add(CheckpointStorage);
        restore.Options.Add(Online);
        restore.Options.Add(SwitchModeInterval);
        restore.Options.Add(AllowExistingEmpty);
        restore.Options.Add(Rename);
    }

    /// <summary><c>--checkpoint-storage</c>, trimmed; null when not given.</summary>
    public string? CheckpointTarget(ParseResult parse)
    {
        var text = parse.GetValue(CheckpointStorage);
        if (text is null)
        {
            return null;
        }

        return string.IsNullOrWhiteSpace(text)
            ? throw new CliUsageException("--checkpoint-storage is empty: give a storage URL for the restore checkpoint, such as local:///backups/restore-checkpoint")
            : text.Trim();
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
    public IReadOnlyList<TableRename> Renames(ParseResult parse)
    {
        var rules = new List<TableRename>();
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

    /// <summary>Parses <c>src.t1=dst.t2</c> or <c>src.*=dst.*</c> (<see cref="TableRename.Parse"/>), refusing a route onto itself.</summary>
    internal static TableRename ParseRename(string text)
    {
        TableRename rule;
        try
        {
            rule = TableRename.Parse(text ?? "");
        }
        catch (BrException e)
        {
            throw new CliUsageException(e.Message);
        }

        if (Same(rule.SourceDatabase, rule.SourceTable, rule.TargetDatabase, rule.TargetTable))
        {
            throw new CliUsageException($"--rename '{text}' renames {rule.SourceDatabase}.{rule.SourceTable ?? "*"} to itself");
        }

        return rule;
    }

    private static bool Same(string db1, string? t1, string db2, string? t2) =>
        string.Equals(db1, db2, StringComparison.OrdinalIgnoreCase) && string.Equals(t1, t2, StringComparison.OrdinalIgnoreCase);
}
