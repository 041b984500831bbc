using System.Net;
using Cairn.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cairn.Cli.Output;

/// <summary>
/// The <c>--status-addr</c> listener, up for the job's duration (BR serves Go's pprof there; .NET has none): plain
/// HTTP/1.1, <c>GET /status</c> (and <c>/</c>) answers the job's progress per phase as JSON, <c>GET /health</c> one
/// line, <c>ok</c>.
/// </summary>
internal sealed class StatusServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StatusServer(WebApplication app, IPEndPoint endPoint)
    {
        _app = app;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public string Url => $"http://{EndPoint}/status";

    public static async Task<StatusServer> StartAsync(IPEndPoint requested, JobStatus status, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddNoSignalLifetime();
        builder.WebHost.ConfigureKestrel(k => k.Listen(requested));
        var app = builder.Build();
        app.MapGet("/", () => Results.Bytes(status.ToJson(), "application/json"));
        app.MapGet("/status", () => Results.Bytes(status.ToJson(), "application/json"));
        app.MapGet("/health", () => Results.Text("ok\n", "text/plain"));
        var bound = await EmbeddedWebHost.StartAsync(app, requested, cancellationToken).ConfigureAwait(false);
        return new StatusServer(app, bound);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
