using Cairn.Br.Backup;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Br;

/// <summary>Runs one backup in-process: the engine behind <c>br backup</c>.</summary>
public static class BackupJob
{
    /// <summary>
    /// Runs the backup described by <paramref name="options"/>. Returns the summary on success; throws
    /// <see cref="BrException"/> (with <see cref="BrException.Summary"/>) on failure and
    /// <see cref="OperationCanceledException"/> when cancelled, leaving the storage recognisably unfinished
    /// (<c>backup.lock</c> and the checkpoint kept, no <c>backupmeta</c>, the service safepoint removed).
    /// </summary>
    /// <remarks>
    /// Validation, the pd connection, the snapshot and GC checks and the schema lookup all run before anything is
    /// written to the storage, so a refused job leaves it untouched.
    /// </remarks>
    public static Task<BackupSummary> RunAsync(BackupOptions options, IProgress<BackupProgress>? progress = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var valid = BackupValidation.Validate(options);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Cairn.Br.Backup");
        return new BackupRun(valid, progress, logger).RunAsync(cancellationToken);
    }
}
