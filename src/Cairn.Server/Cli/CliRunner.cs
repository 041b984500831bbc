using System.CommandLine;
using System.CommandLine.Parsing;

namespace Cairn.Server.Cli;

/// <summary>
/// What every Cairn executable does around its commands, so that all of them keep the README's promise: bad usage
/// (a parse error, an unknown option or command, a missing option, a number that does not parse, or a
/// <see cref="CliUsageException"/>) prints one line naming the problem and where <c>--help</c> is, and exits 2; a
/// failure prints one line and exits 1; no exception reaches the user as a stack trace.
/// </summary>
internal static class CliRunner
{
    /// <summary>Exit code of a failed operation.</summary>
    public const int Failed = 1;

    /// <summary>Exit code of bad usage.</summary>
    public const int BadUsage = 2;

    /// <summary>Parses <paramref name="args"/> against <paramref name="root"/> and runs the chosen command.</summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args, TextWriter? error = null)
    {
        error ??= Console.Error;
        var parse = root.Parse(args);
        var name = CommandPath(parse.CommandResult);
        if (parse.Errors.Count > 0)
        {
            // One error is the one to fix, the parser's full help would bury it; an unknown word explains a missing
            // command better than "required command was not provided" does.
            var first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            await error.WriteLineAsync($"{name}: {OneLine(first.Message)} (see '{name} --help')").ConfigureAwait(false);
            return BadUsage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (CliUsageException e)
        {
            await error.WriteLineAsync($"{name}: {OneLine(e.Message)} (see '{name} --help')").ConfigureAwait(false);
            return BadUsage;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync($"{name}: cancelled").ConfigureAwait(false);
            return Failed;
        }
        catch (Exception e)
        {
            // Whatever a command did not expect is still reported as what it is, in one line: the type tells a
            // developer where to look, the message tells the user what failed.
            var message = e is CliFailureException ? e.Message : $"{e.Message} ({e.GetType().Name})";
            await error.WriteLineAsync($"{name}: {OneLine(message)}").ConfigureAwait(false);
            return Failed;
        }
    }

    /// <summary>Prints a usage error of <paramref name="command"/> as <see cref="RunAsync"/> does and returns the exit code.</summary>
    public static int Usage(string command, string message)
    {
        Console.Error.WriteLine($"{command}: {OneLine(message)} (see '{command} --help')");
        return BadUsage;
    }

    /// <summary>A message on one line: exception messages of the libraries sometimes carry line breaks.</summary>
    public static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c)
            {
                names.Add(c.Command is RootCommand ? "cairn" : c.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
