// The hand-written gRPC stack Cairn.Rpc had before Grpc.AspNetCore/Grpc.Net.Client, kept here only to measure
// it side by side with the official stack (bench/results/RpcStackComparison.md).
using Cairn.Rpc;
using Google.Protobuf;

namespace Cairn.Bench.Legacy;

/// <summary>
/// Describes one gRPC method: its path (<c>/package.Service/Method</c>) and how to parse its messages.
/// Shared by <see cref="RpcServer"/> registrations and <see cref="RpcChannel"/> calls.
/// </summary>
/// <typeparam name="TRequest">Request message type.</typeparam>
/// <typeparam name="TResponse">Response message type.</typeparam>
public sealed class RpcMethod<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    /// <summary>Creates a method descriptor.</summary>
    public RpcMethod(string path, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(requestParser);
        ArgumentNullException.ThrowIfNull(responseParser);
        if (path[0] != '/' || path.IndexOf('/', 1) < 0)
        {
            throw new ArgumentException($"A gRPC method path looks like /package.Service/Method, got '{path}'.", nameof(path));
        }

        Path = path;
        RequestParser = requestParser;
        ResponseParser = responseParser;
    }

    /// <summary>The HTTP/2 path, e.g. <c>/tikvpb.Tikv/RawGet</c>.</summary>
    public string Path { get; }

    /// <summary>Parser for requests.</summary>
    public MessageParser<TRequest> RequestParser { get; }

    /// <summary>Parser for responses.</summary>
    public MessageParser<TResponse> ResponseParser { get; }

    /// <inheritdoc/>
    public override string ToString() => Path;
}
