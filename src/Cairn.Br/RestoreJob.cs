using Cairn.Br.Restore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Br;

/// <summary>Runs one restore in-process: the engine behind <c>br restore</c>.</summary>
public static class RestoreJob
{
    /// <summary>
    /// Runs the restore described by <paramref name="options"/>. Returns the summary when every selected table was
    /// restored and verified; throws <see cref="BrException"/> (with <see cref="BrException.RestoreSummary"/>) on
    /// failure and <see cref="OperationCanceledException"/> when cancelled. A failed or cancelled job drops the
    /// tables it created; those it could not drop are listed in the summary's <see cref="RestoreSummary.LeftUndone"/>.
    /// </summary>
    /// <remarks>
    /// The meta, the kind, the selection, the routes and the target tables are all checked before anything is
    /// created, so a refused job leaves the target cluster untouched.
    /// </remarks>
    public static Task<RestoreSummary> RunAsync(RestoreOptions options, IProgress<BackupProgress>? progress = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var valid = RestoreValidation.Validate(options);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Cairn.Br.Restore");
        return new RestoreRun(valid, progress, logger).RunAsync(cancellationToken);
    }
}
