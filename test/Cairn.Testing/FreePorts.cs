using System.Net;
using System.Net.Sockets;

namespace Cairn.Testing;

/// <summary>Finds loopback ports nobody listens on, so that concurrent test runs do not collide.</summary>
public static class FreePorts
{
    /// <summary>A port the kernel hands out for port 0 (released before returning).</summary>
    public static int One()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The first port of <paramref name="count"/> consecutive free ports, searched from a random start.</summary>
    public static int Block(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var start = Random.Shared.Next(20_000, 30_000 - count);
            if (Enumerable.Range(start, count).All(IsFree))
            {
                return start;
            }
        }
        throw new InvalidOperationException($"no block of {count} free ports found");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
