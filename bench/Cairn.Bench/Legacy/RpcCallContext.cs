// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
using Microsoft.AspNetCore.Http;

namespace Cairn.Bench.Legacy;

/// <summary>What a server handler knows about the call it serves.</summary>
public sealed class RpcCallContext
{
    private readonly HttpContext _http;

    internal RpcCallContext(HttpContext http, string method, DateTime? deadline, CancellationToken cancellationToken)
    {
        _http = http;
        Method = method;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>The method path, e.g. <c>/tikvpb.Tikv/RawGet</c>.</summary>
    public string Method { get; }

    /// <summary>The deadline the client set with <c>grpc-timeout</c>, in UTC; null when it set none.</summary>
    public DateTime? Deadline { get; }

    /// <summary>
    /// Cancelled when the client cancels or resets the stream, the connection drops, the deadline passes or the server
    /// shuts down.
    /// </summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The request headers (metadata), including the protocol's own.</summary>
    public IHeaderDictionary RequestHeaders => _http.Request.Headers;

    /// <summary>The client's address, in gRPC's form <c>ipv4:127.0.0.1:50000</c>.</summary>
    public string Peer
    {
        get
        {
            var connection = _http.Connection;
            var ip = connection.RemoteIpAddress;
            if (ip is null)
            {
                return "unknown";
            }

            var family = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6:[" + ip + "]" : "ipv4:" + ip;
            return family + ":" + connection.RemotePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The first value of the request header <paramref name="name"/>, or null.</summary>
    public string? GetHeader(string name)
    {
        var values = _http.Request.Headers[name];
        return values.Count == 0 ? null : values[0];
    }
}
