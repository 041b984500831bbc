using Cairn.Common;
using Cairn.Pd.Client;

namespace Cairn.Store;

/// <summary>
/// What a store checks before it creates or opens anything on disk or takes an id from pd: its port can be listened
/// on, pd (when it has one) answers, and the data directory is not pd's. A start that fails then leaves no directory
/// behind and burns no store id.
/// </summary>
internal static class StoreStartupChecks
{
    public static async Task RunAsync(StoreNodeOptions options, CancellationToken cancellationToken)
    {
        ListenProbe.EnsureAvailable(options.EndPoint);
        if (options.PdAddress is { } address)
        {
            var pd = await PdClient.ConnectAsync([address], new PdClientOptions { RetryTimeout = options.PdConnectTimeout, Tls = options.Tls }, cancellationToken).ConfigureAwait(false);
            await pd.DisposeAsync().ConfigureAwait(false);
        }

        DataDirectory.Claim(options.DataDir, DataDirectory.StoreRole);
    }
}
