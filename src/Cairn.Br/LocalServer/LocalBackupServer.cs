using System.Net;
using System.Security.Cryptography;
using System.Text;
using Cairn.Rpc;
using Cairn.Rpc.Security;
using Cairn.Storage.Served;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Br.LocalServer;

/// <summary>
/// The HTTP server of one job (<see cref="ServedProtocol"/>): Kestrel on the chosen address serving one local folder
/// through <see cref="ServedFolder"/>, behind a random bearer token that exists only in this process's memory and
/// in the requests br sends to the stores. Stopped (and its port closed) when disposed.
/// </summary>
internal sealed class LocalBackupServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServedFolder _folder;
    private readonly ILogger _logger;

    private LocalBackupServer(WebApplication app, ServedFolder folder, Uri endpoint, string token, ILogger logger)
    {
        _app = app;
        _folder = folder;
        Endpoint = endpoint;
        Token = token;
        _logger = logger;
    }

    /// <summary>The base URL the stores are given.</summary>
    public Uri Endpoint { get; }

    /// <summary>The job's token (a secret: never logged or printed).</summary>
    public string Token { get; }

    /// <summary>What the stores are sent: the endpoint and the token.</summary>
    public ServedStorageOptions StorageOptions => new() { Endpoint = Endpoint, Token = Token };

    /// <summary>Starts serving <paramref name="folder"/> on <paramref name="bind"/>, told to the stores as <paramref name="advertisedHost"/>; https with <paramref name="tls"/>.</summary>
    public static async Task<LocalBackupServer> StartAsync(string folder, IPEndPoint bind, string advertisedHost, TlsSettings? tls,
        ILogger logger, CancellationToken cancellationToken)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var served = new ServedFolder(folder, Encoding.ASCII.GetBytes(token), logger);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddNoSignalLifetime();
        builder.WebHost.ConfigureKestrel(k =>
        {
            // SSTs are up to hundreds of MiB, and a rate-limited store sends slowly by design.
            k.Limits.MaxRequestBodySize = null;
            k.Limits.MinRequestBodyDataRate = null;
            k.Limits.MinResponseDataRate = null;
            k.AddServerHeader = false;
            k.Listen(bind, listen =>
            {
                if (tls is not null)
                {
                    // The cluster's own certificate and CA: only a client holding a certificate of this CA gets in.
                    listen.UseHttps(tls.ConfigureServer);
                }
            });
        });
        var app = builder.Build();
        app.Run(served.HandleAsync);
        var bound = await EmbeddedWebHost.StartAsync(app, bind, cancellationToken).ConfigureAwait(false);
        var scheme = tls is null ? "http" : "https";
        var host = advertisedHost.Contains(':', StringComparison.Ordinal) ? $"[{advertisedHost}]" : advertisedHost;
        var endpoint = new Uri($"{scheme}://{host}:{bound.Port}");
        LocalServerLog.Started(logger, folder, endpoint.GetLeftPart(UriPartial.Authority));
        return new LocalBackupServer(app, served, endpoint, token, logger);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            var stats = _folder.Stats;
            LocalServerLog.Stopped(_logger, Endpoint.GetLeftPart(UriPartial.Authority), stats.Uploads, stats.UploadBytes, stats.Downloads, stats.DownloadBytes, stats.Refused);
        }
    }
}
