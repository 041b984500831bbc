using System.CommandLine;
using System.CommandLine.Parsing;

namespace Cairn.Hosting;

/// <summary>
/// What every Cairn executable does around its commands, so that all of them keep the README's promise: bad usage
/// (a parse error, an unknown option or command, a missing option, a number that does not parse, or a
/// <see cref="CliUsageException"/>) prints one line naming the problem and where <c>--help</c> is, and exits 2; a
/// failure prints one line and exits 1; no exception reaches the user as a stack trace.
/// </summary>
public static class CliRunner
{
    /// <summary>Exit code of a failed operation (<see cref="ExitCodes.Failed"/>).</summary>
    public const int Failed = ExitCodes.Failed;

    /// <summary>Exit code of bad usage (<see cref="ExitCodes.BadUsage"/>).</summary>
    public const int BadUsage = ExitCodes.BadUsage;

    /// <summary>
    /// Parses <paramref name="args"/> against <paramref name="root"/> and runs the chosen command; messages name the
    /// command as <paramref name="program"/> followed by the subcommand path (<c>cairn pd</c>, <c>br backup full</c>).
    /// </summary>
    /// <returns>The command's exit code, or <see cref="ExitCodes.BadUsage"/> / <see cref="ExitCodes.Failed"/>.</returns>
    public static async Task<int> RunAsync(RootCommand root, string program, string[] args, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(args);
        error ??= Console.Error;
        var parse = root.Parse(args);
        var name = CommandPath(parse.CommandResult, program);
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
        ArgumentNullException.ThrowIfNull(message);
        Console.Error.WriteLine($"{command}: {OneLine(message)} (see '{command} --help')");
        return BadUsage;
    }

    /// <summary>A message on one line: exception messages of the libraries sometimes carry line breaks.</summary>
    public static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    private static string CommandPath(CommandResult result, string program)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c)
            {
                names.Add(c.Command is RootCommand ? program : c.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
