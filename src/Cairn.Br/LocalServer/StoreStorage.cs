using Cairn.Br.Cluster;
using Cairn.Rpc.Backup;
using Cairn.Rpc.Security;
using Cairn.Storage;
using Cairn.Storage.Backends;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.LocalServer;

/// <summary>
/// What a job tells the stores about its storage: the URL's own backend (with or without credentials, as
/// <c>--send-credentials-to-tikv</c> says), or, with <c>--local-server</c>, br's local backup server for the job's
/// <c>local://</c> folder, which runs until this is disposed.
/// </summary>
internal sealed class StoreStorage : IAsyncDisposable
{
    private readonly LocalBackupServer? _server;

    private StoreStorage(StorageBackend backend, LocalBackupServer? server)
    {
        Backend = backend;
        _server = server;
    }

    /// <summary>The backend every request to a store carries. It may hold secrets: it goes into requests only.</summary>
    public StorageBackend Backend { get; }

    /// <summary>Starts the local backup server when <paramref name="localServer"/> asks for it (https with the job's <paramref name="tls"/>).</summary>
    /// <exception cref="BrException">The storage is not a local folder, or the server cannot listen where asked.</exception>
    public static async Task<StoreStorage> StartAsync(StorageUrl url, LocalServerOptions? localServer, bool sendCredentials, TlsSettings? tls, ClusterConnection cluster, ILogger logger,
        CancellationToken cancellationToken)
    {
        if (localServer is null)
        {
            return new StoreStorage(StorageBackends.ToBackend(url, sendCredentials), null);
        }

        if (url.Kind != StorageKind.Local)
        {
            throw new BrException("ErrInvalidArgument", $"--local-server serves a folder of this machine: use it with --storage local:///absolute/path, not {url.Uri}");
        }

        var stores = await cluster.Pd.GetAllStoresAsync(excludeTombstones: true, cancellationToken).ConfigureAwait(false);
        var (bind, advertised) = LocalServerAddress.Choose(localServer.Address, [.. stores.Select(s => s.Address)]);
        LocalBackupServer server;
        try
        {
            server = await LocalBackupServer.StartAsync(url.LocalPath!, bind, advertised, tls, logger, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new BrException("ErrInvalidArgument", $"the local backup server cannot listen on {bind}: {JobErrors.OneLine(e.Message)}; choose another --local-server-addr", e);
        }

        return new StoreStorage(StorageBackends.ForLocalServer(server.StorageOptions), server);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
