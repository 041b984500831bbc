using System.CommandLine;
using Cairn.Br;
using Cairn.Cli.Flags;

namespace Cairn.Cli.Commands;

/// <summary>The <c>br</c> command tree: the global flags (with <c>-V</c> for the version), <c>backup</c>, <c>restore</c>, and <c>debug</c> with its alias <c>validate</c>.</summary>
internal static class BrRoot
{
    public static RootCommand Create(
        Func<ParseResult, GlobalFlags, string, BackupOptions, CancellationToken, Task<int>>? runBackup = null,
        Func<ParseResult, GlobalFlags, string, RestoreRequest, CancellationToken, Task<int>>? runRestore = null)
    {
        var root = new RootCommand("br: backs up the Cairn cluster's tables (and raw key ranges) to external storage, and restores them");
        var global = new GlobalFlags();
        global.AddTo(root);
        foreach (var option in root.Options)
        {
            if (option is VersionOption version)
            {
                version.Aliases.Add("-V");
            }
        }

        root.Subcommands.Add(BackupCommand.Create(global, runBackup));
        root.Subcommands.Add(RestoreCommand.Create(global, runRestore));
        root.Subcommands.Add(DebugCommand.Create("debug", global));
        root.Subcommands.Add(DebugCommand.Create("validate", global));
        return root;
    }
}
