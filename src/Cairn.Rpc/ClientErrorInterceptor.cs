using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcException = Grpc.Core.RpcException;

namespace Cairn.Rpc;

/// <summary>
/// The client edge of the stack: adds the channel's default metadata to every call and turns Grpc.Core's
/// exceptions into ours wherever a call reports its outcome (response, response stream, request stream). Headers are
/// handed through lazily and unmapped: nothing here awaits them, and wrapping them would cost every call a task.
/// </summary>
internal sealed class ClientErrorInterceptor(string target, IReadOnlyList<KeyValuePair<string, string>> defaultHeaders) : Interceptor
{
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        context = WithDefaultHeaders(context);
        try
        {
            return continuation(request, context);
        }
        catch (GrpcException e)
        {
            throw RpcErrors.FromGrpc(e, target);
        }
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        context = WithDefaultHeaders(context);
        var call = continuation(request, context);
        return new AsyncUnaryCall<TResponse>(Map(call.ResponseAsync, context.Options.CancellationToken),
            static s => ((AsyncUnaryCall<TResponse>)s).ResponseHeadersAsync,
            static s => ((AsyncUnaryCall<TResponse>)s).GetStatus(),
            static s => ((AsyncUnaryCall<TResponse>)s).GetTrailers(),
            static s => ((AsyncUnaryCall<TResponse>)s).Dispose(),
            call);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        context = WithDefaultHeaders(context);
        var call = continuation(request, context);
        return new AsyncServerStreamingCall<TResponse>(new Reader<TResponse>(call.ResponseStream, target),
            static s => ((AsyncServerStreamingCall<TResponse>)s).ResponseHeadersAsync,
            static s => ((AsyncServerStreamingCall<TResponse>)s).GetStatus(),
            static s => ((AsyncServerStreamingCall<TResponse>)s).GetTrailers(),
            static s => ((AsyncServerStreamingCall<TResponse>)s).Dispose(),
            call);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        context = WithDefaultHeaders(context);
        var call = continuation(context);
        return new AsyncClientStreamingCall<TRequest, TResponse>(new Writer<TRequest>(call.RequestStream, target), Map(call.ResponseAsync, context.Options.CancellationToken),
            static s => ((AsyncClientStreamingCall<TRequest, TResponse>)s).ResponseHeadersAsync,
            static s => ((AsyncClientStreamingCall<TRequest, TResponse>)s).GetStatus(),
            static s => ((AsyncClientStreamingCall<TRequest, TResponse>)s).GetTrailers(),
            static s => ((AsyncClientStreamingCall<TRequest, TResponse>)s).Dispose(),
            call);
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        context = WithDefaultHeaders(context);
        var call = continuation(context);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(new Writer<TRequest>(call.RequestStream, target),
            new Reader<TResponse>(call.ResponseStream, target),
            static s => ((AsyncDuplexStreamingCall<TRequest, TResponse>)s).ResponseHeadersAsync,
            static s => ((AsyncDuplexStreamingCall<TRequest, TResponse>)s).GetStatus(),
            static s => ((AsyncDuplexStreamingCall<TRequest, TResponse>)s).GetTrailers(),
            static s => ((AsyncDuplexStreamingCall<TRequest, TResponse>)s).Dispose(),
            call);
    }

    private async Task<T> Map<T>(Task<T> task, CancellationToken cancellationToken)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch (GrpcException e)
        {
            throw Translate(e, target, cancellationToken);
        }
    }

    // A call the caller cancelled ends as a cancellation, not as an RPC failure: code that stops on its own token
    // (a keeper loop, a job's workers) must not mistake its own stop for an error of the peer.
    private static Exception Translate(GrpcException e, string target, CancellationToken cancellationToken) =>
        e.StatusCode == Grpc.Core.StatusCode.Cancelled && cancellationToken.IsCancellationRequested
            ? new OperationCanceledException(e.Status.Detail, e, cancellationToken)
            : RpcErrors.FromGrpc(e, target);

    private ClientInterceptorContext<TRequest, TResponse> WithDefaultHeaders<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        if (defaultHeaders.Count == 0)
        {
            return context;
        }

        var headers = new Metadata();
        foreach (var (name, value) in defaultHeaders)
        {
            headers.Add(name, value);
        }

        if (context.Options.Headers is { } perCall)
        {
            foreach (var entry in perCall)
            {
                headers.Add(entry);
            }
        }

        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
    }

    private sealed class Reader<T>(IAsyncStreamReader<T> inner, string target) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                return await inner.MoveNext(cancellationToken).ConfigureAwait(false);
            }
            catch (GrpcException e)
            {
                throw Translate(e, target, cancellationToken);
            }
        }
    }

    private sealed class Writer<T>(IClientStreamWriter<T> inner, string target) : IClientStreamWriter<T>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            try
            {
                await inner.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (GrpcException e)
            {
                throw RpcErrors.FromGrpc(e, target);
            }
        }

        public async Task CompleteAsync()
        {
            try
            {
                await inner.CompleteAsync().ConfigureAwait(false);
            }
            catch (GrpcException e)
            {
                throw RpcErrors.FromGrpc(e, target);
            }
        }
    }
}
