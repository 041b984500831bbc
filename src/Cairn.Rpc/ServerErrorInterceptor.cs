using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using GrpcException = Grpc.Core.RpcException;
using GrpcStatus = Grpc.Core.Status;
using GrpcStatusCode = Grpc.Core.StatusCode;

namespace Cairn.Rpc;

/// <summary>
/// The server edge of the stack: a service throws our <see cref="RpcException"/> to answer a status, and a handler
/// that fails only because its client left (or its deadline passed) is not a server error worth a stack trace.
/// </summary>
internal sealed class ServerErrorInterceptor(ILogger<RpcServer> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, context) is { } translated)
        {
            throw translated;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, context) is { } translated)
        {
            throw translated;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, context) is { } translated)
        {
            throw translated;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, context) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>The exception to answer instead of <paramref name="e"/>; null lets Grpc.AspNetCore handle it (and log it as a failure).</summary>
    private GrpcException? Translate(Exception e, ServerCallContext context)
    {
        if (e is RpcException ours)
        {
            RpcServerLog.CallFailed(logger, context.Method, ours.Status, ours.Detail);
            return RpcErrors.ToGrpc(ours);
        }

        if (e is not GrpcException && context.CancellationToken.IsCancellationRequested)
        {
            // Nobody is left to read a status (or the deadline already answered one): not a failure of the server.
            RpcServerLog.ClientGone(logger, context.Method, context.Peer);
            return context.Deadline <= DateTime.UtcNow
                ? new GrpcException(new GrpcStatus(GrpcStatusCode.DeadlineExceeded, "Deadline exceeded"))
                : new GrpcException(new GrpcStatus(GrpcStatusCode.Cancelled, "The call was cancelled"));
        }

        return null;
    }
}
