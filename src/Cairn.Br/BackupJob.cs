using Microsoft.Extensions.Logging;

namespace Cairn.Br;

/// <summary>Runs one backup in-process: the engine behind <c>br backup</c>.</summary>
public static class BackupJob
{
    /// <summary>
    /// Runs the backup described by <paramref name="options"/>. Returns the summary on success; throws
    /// <see cref="BrException"/> (with <see cref="BrException.Summary"/>) on failure and
    /// <see cref="OperationCanceledException"/> when cancelled, leaving the storage recognisably unfinished.
    /// </summary>
    public static Task<BackupSummary> RunAsync(BackupOptions options, IProgress<BackupProgress>? progress = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException("the backup engine is built on branch br-engine");
}
