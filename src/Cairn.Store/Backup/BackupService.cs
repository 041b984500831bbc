using Cairn.Rpc.Backup;
using Cairn.Storage;
using Cairn.Store.Crypto;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using BackupError = Cairn.Rpc.Backup.Error;

namespace Cairn.Store.Backup;

/// <summary>
/// kvproto's <c>/backup.Backup/backup</c>: checks the request, opens the storage its <c>storage_backend</c> names
/// (credentials from the message stay in memory; empty ones fall back to the store's environment) and streams one
/// <see cref="BackupResponse"/> per region piece from <see cref="BackupEndpoint"/>. A request that cannot run at all
/// gets a single response over the whole range with <c>error.msg</c> saying why.
/// </summary>
internal sealed class BackupService : Rpc.Backup.Backup.BackupBase
{
    private readonly BackupEndpoint _endpoint;
    private readonly BackupStorageOpener _storage;
    private readonly ILogger _logger;

    public BackupService(BackupEndpoint endpoint, BackupStorageOpener storage, ILogger logger)
    {
        _endpoint = endpoint;
        _storage = storage;
        _logger = logger;
    }

    /// <inheritdoc/>
    public override async Task backup(BackupRequest request, IServerStreamWriter<BackupResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.CancellationToken;
        if (Refusal(request) is { } refusal)
        {
            BackupLog.Refused(_logger, refusal);
            await responseStream.WriteAsync(Failed(request, refusal), cancellationToken).ConfigureAwait(false);
            return;
        }

        IExternalStorage storage;
        try
        {
            storage = await _storage.OpenAsync(request.StorageBackend, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e)
        {
            var message = $"cannot open the backup storage: {e.Message}";
            BackupLog.Refused(_logger, message);
            await responseStream.WriteAsync(Failed(request, message), cancellationToken).ConfigureAwait(false);
            return;
        }

        await using (storage.ConfigureAwait(false))
        {
            await _endpoint.RunAsync(request, storage, response => responseStream.WriteAsync(response, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string? Refusal(BackupRequest request)
    {
        if (SstCipher.Check(request.CipherInfo) is { } badCipher)
        {
            return badCipher;
        }

        if (request.IsRawKv)
        {
            return null;
        }

        if (request.EndVersion == 0)
        {
            return "end_version is 0; a transactional backup needs the backup timestamp as end_version";
        }

        return request.StartVersion > request.EndVersion
            ? $"start_version {request.StartVersion} is after end_version {request.EndVersion}; an incremental backup needs start_version < end_version"
            : null;
    }

    private static BackupResponse Failed(BackupRequest request, string message) => new()
    {
        StartKey = request.StartKey,
        EndKey = request.EndKey,
        Error = new BackupError { Msg = message },
    };
}
