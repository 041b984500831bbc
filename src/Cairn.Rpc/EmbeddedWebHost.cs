using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Cairn.Rpc;

/// <summary>
/// What every Kestrel host embedded in a Cairn process needs (pd's gRPC and HTTP endpoints, the store's): no
/// process-wide signal handling, since the embedding program owns shutdown, and the port Kestrel really bound when
/// port 0 was asked for.
/// </summary>
public static class EmbeddedWebHost
{
    /// <summary>Replaces the host lifetime with one that waits for nobody's signal.</summary>
    public static IServiceCollection AddNoSignalLifetime(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.Replace(ServiceDescriptor.Singleton<IHostLifetime, NoSignalLifetime>());
        return services;
    }

    /// <summary>
    /// Starts <paramref name="app"/> and returns the bound end point (on <paramref name="requested"/>'s address);
    /// an app that fails to start is disposed, so a failed bind leaves nothing behind.
    /// </summary>
    public static async Task<IPEndPoint> StartAsync(WebApplication app, IPEndPoint requested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(requested);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no bound address.");
        return new IPEndPoint(requested.Address, new Uri(address).Port);
    }

    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
