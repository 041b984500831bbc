using System.Net;
using Cairn.Common;

namespace Cairn.Pd;

/// <summary>
/// What pd checks before it creates or opens anything on disk: both of its ports can be listened on, and the data
/// directory is not a store's. A start that fails then leaves no directory behind.
/// </summary>
internal static class PdStartupChecks
{
    public static void Run(PdServerOptions options)
    {
        ListenProbe.EnsureAvailable(options.EndPoint);
        var http = options.HttpEndPoint
            ?? (options.EndPoint.Port == 0 ? null : new IPEndPoint(options.EndPoint.Address, options.EndPoint.Port + 1));
        if (http is not null)
        {
            ListenProbe.EnsureAvailable(http);
        }

        DataDirectory.Claim(options.DataDir, DataDirectory.PdRole);
    }
}
