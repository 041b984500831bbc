using Cairn.Rpc.Backup;
using Cairn.Storage;
using Cairn.Storage.Backends;
using Microsoft.Extensions.Logging;

namespace Cairn.Store;

/// <summary>
/// Opens the external storage a backup or download request names. Credentials in the request stay in memory; where
/// it carries none (<c>--send-credentials-to-tikv=false</c>) the store's own environment is used. br's local backup
/// server is reached with the store's TLS settings when the cluster uses TLS.
/// </summary>
internal sealed partial class BackupStorageOpener
{
    private readonly StorageOpenOptions _options;
    private readonly ILogger _logger;

    /// <param name="servedHttpHandler">The HTTP handler for br's local backup server (the store's TLS settings); null for plain HTTP.</param>
    /// <param name="logger">Where the credential source of each open is logged (debug).</param>
    public BackupStorageOpener(Func<HttpMessageHandler>? servedHttpHandler, ILogger logger)
    {
        // No bucket check on open: the object read or write that follows reports a missing bucket or object by name,
        // and a check would cost one more round trip per request.
        _options = new StorageOpenOptions { CheckPath = false, ServedHttpHandler = servedHttpHandler };
        _logger = logger;
    }

    /// <summary>
    /// Opens <paramref name="backend"/>; an unsupported or empty backend is a non-transient <see cref="StorageException"/>.
    /// </summary>
    public async ValueTask<IExternalStorage> OpenAsync(StorageBackend backend, CancellationToken cancellationToken)
    {
        var storage = await StorageBackends.OpenAsync(backend, _options, cancellationToken).ConfigureAwait(false);
        Opened(_logger, storage.Uri, StorageBackends.CredentialSource(backend));
        return storage;
    }

    [LoggerMessage(EventId = 2740, Level = LogLevel.Debug, Message = "opened storage {Storage}; credentials: {Source}")]
    private static partial void Opened(ILogger logger, string storage, string source);
}
