using System.CommandLine;
using Cairn.Br;
using Cairn.Cli.Flags;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary>Runs a checked <see cref="RestoreRequest"/> as <see cref="RestoreJob"/> inside <see cref="JobRunner"/>'s log, progress, signals and summary.</summary>
internal static class RestoreRunner
{
    public static Task<int> RunAsync(ParseResult parse, GlobalFlags global, string command, RestoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = request.Options;
        return JobRunner.RunJobAsync(
            parse, global, command, options.Storage, options.PdAddresses, SummaryPrinter.Subject(options.Kind),
            shown => (options with { Storage = shown }).ToString(),
            (progress, loggers, ct) => RestoreJob.RunAsync(options, progress, loggers, ct), SummaryPrinter.WriteRestore, e => e.RestoreSummary, cancellationToken);
    }
}
