using System.CommandLine;
using Cairn.Cli.Flags;
using Cairn.Hosting;

namespace Cairn.Cli.Commands;

/// <summary>
/// Runs a checked <see cref="RestoreRequest"/>. The restore engine (Cairn.Br's RestoreJob, issue #13) is not part of
/// this branch yet: until it is merged in, every restore stops here, after its flags were checked, with one line
/// saying so and exit 1, having connected to nothing and written nothing.
/// </summary>
internal static class RestoreRunner
{
    public static Task<int> RunAsync(ParseResult parse, GlobalFlags global, string command, RestoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        throw new CliFailureException($"{request.Kind} restore is not available in this build yet: the restore engine has not been merged into br");
    }
}
