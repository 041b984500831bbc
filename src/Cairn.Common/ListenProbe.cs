using System.Net;
using System.Net.Sockets;

namespace Cairn.Common;

/// <summary>
/// Checks, before a server creates or changes anything on disk, that it will be able to listen where it was told:
/// a port in use then fails the start with nothing half-done (no data directory, no id taken from pd).
/// </summary>
public static class ListenProbe
{
    /// <summary>Binds and releases <paramref name="endPoint"/>; port 0 (any free port) always passes.</summary>
    /// <exception cref="IOException">The address cannot be listened on.</exception>
    public static void EnsureAvailable(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (endPoint.Port == 0)
        {
            return;
        }

        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // As Kestrel binds: an old connection in TIME_WAIT must not make a free port look taken.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            socket.Bind(endPoint);
            socket.Listen(1);
        }
        catch (SocketException e)
        {
            throw new IOException($"cannot listen on {endPoint}: {e.Message}", e);
        }
    }
}
