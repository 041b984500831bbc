using System.Net;
using System.Net.Sockets;

namespace Cairn.Br.LocalServer;

/// <summary>Where the local backup server listens and which address the stores are told to use.</summary>
internal static class LocalServerAddress
{
    /// <summary>
    /// The listen end point and the host the stores are given. With no <paramref name="address"/>: loopback when
    /// every store is on loopback (a one-machine cluster), otherwise this machine's address on the route to the first
    /// store, port 0. A wildcard host listens everywhere and advertises that same route's address.
    /// </summary>
    /// <exception cref="BrException">The address is malformed, or no route to the stores gives an address.</exception>
    public static (IPEndPoint Bind, string Advertised) Choose(string? address, IReadOnlyList<string> storeAddresses)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            if (storeAddresses.Count == 0 || storeAddresses.All(IsLoopback))
            {
                return (new IPEndPoint(IPAddress.Loopback, 0), IPAddress.Loopback.ToString());
            }

            var routed = RouteTowards(storeAddresses.First(a => !IsLoopback(a)));
            return (new IPEndPoint(routed, 0), routed.ToString());
        }

        var (host, port) = Split(address);
        if (IPAddress.TryParse(host, out var ip))
        {
            if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
            {
                var towards = storeAddresses.FirstOrDefault(a => !IsLoopback(a));
                var advertised = towards is null ? IPAddress.Loopback : RouteTowards(towards);
                return (new IPEndPoint(ip, port), advertised.ToString());
            }

            return (new IPEndPoint(ip, port), ip.ToString());
        }

        // A host name: listen on what it resolves to here, and give the stores the name, which they resolve themselves.
        IPAddress resolved;
        try
        {
            resolved = Dns.GetHostAddresses(host).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).First();
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException or ArgumentException)
        {
            throw new BrException("ErrInvalidArgument", $"--local-server-addr {address}: the host name '{host}' does not resolve on this machine; give an IP address of this machine");
        }

        return (new IPEndPoint(resolved, port), host);
    }

    private static (string Host, int Port) Split(string address) =>
        LocalServerOptions.TrySplitAddress(address, out var host, out var port)
            ? (host, port)
            : throw new BrException("ErrInvalidArgument", $"--local-server-addr '{address}' is not host:port (for example 10.0.0.5:0, where port 0 picks a free port)");

    private static bool IsLoopback(string storeAddress)
    {
        var host = HostOf(storeAddress);
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    private static string HostOf(string storeAddress)
    {
        var text = storeAddress.Contains("://", StringComparison.Ordinal) ? storeAddress[(storeAddress.IndexOf("://", StringComparison.Ordinal) + 3)..] : storeAddress;
        var colon = text.LastIndexOf(':');
        return (colon > 0 ? text[..colon] : text).Trim('[', ']');
    }

    // Connecting a UDP socket sends nothing; it only makes the kernel pick the interface the route to the store uses.
    private static IPAddress RouteTowards(string storeAddress)
    {
        var host = HostOf(storeAddress);
        try
        {
            var target = IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).First();
            using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(new IPEndPoint(target, 9));
            return ((IPEndPoint)socket.LocalEndPoint!).Address;
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException)
        {
            throw new BrException("ErrInvalidArgument",
                $"cannot tell which address of this machine store {storeAddress} can reach ({e.Message}); give one with --local-server-addr host:port");
        }
    }
}
