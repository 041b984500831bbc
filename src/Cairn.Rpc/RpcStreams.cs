using System.Runtime.CompilerServices;
using Grpc.Core;

namespace Cairn.Rpc;

/// <summary>
/// Streaming calls as <see cref="IAsyncEnumerable{T}"/>: the caller produces requests and consumes responses
/// with <c>await foreach</c>, and the call is disposed (reset if unfinished) when the enumeration ends.
/// </summary>
public static class RpcStreams
{
    /// <summary>Yields the responses of a server-streaming call, then disposes it.</summary>
    public static async IAsyncEnumerable<TResponse> ReadAllAsync<TResponse>(
        this AsyncServerStreamingCall<TResponse> call, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        using (call)
        {
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                yield return call.ResponseStream.Current;
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="requests"/> as they are produced, half-closes, and returns the single response. When the
    /// server fails the call while requests are still being sent, its status is what surfaces, not the failed write.
    /// </summary>
    public static async Task<TResponse> SendAllAsync<TRequest, TResponse>(
        this AsyncClientStreamingCall<TRequest, TResponse> call, IAsyncEnumerable<TRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(requests);
        using (call)
        {
            // A producer that throws ends the enumeration here; disposing the call then resets it.
            await foreach (var request in requests.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // The call ended under the write (typically the server answered early with an error); the write
                    // reports only that the call is over, the response carries the server's status.
                    return await call.ResponseAsync.ConfigureAwait(false);
                }
            }

            try
            {
                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                return await call.ResponseAsync.ConfigureAwait(false);
            }

            return await call.ResponseAsync.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs a bidirectional call: <paramref name="requests"/> are sent in the background as they are produced (then
    /// the stream is half-closed) while the responses are yielded as they arrive. Ending the enumeration early
    /// disposes the call, which resets the stream and stops the sender.
    /// </summary>
    public static async IAsyncEnumerable<TResponse> DuplexAsync<TRequest, TResponse>(
        this AsyncDuplexStreamingCall<TRequest, TResponse> call, IAsyncEnumerable<TRequest> requests,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(requests);
        using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sender = SendAsync(call, requests, stopSending.Token);
        try
        {
            while (await MoveNextAsync(call.ResponseStream, sender, cancellationToken).ConfigureAwait(false))
            {
                yield return call.ResponseStream.Current;
            }

            // The server finished: a sender that failed on its own (the producer threw) must not be hidden.
            if (sender.IsFaulted)
            {
                await sender.ConfigureAwait(false);
            }
        }
        finally
        {
            await stopSending.CancelAsync().ConfigureAwait(false);
            call.Dispose();
            try
            {
                await sender.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The call is over; how its sender ended is no longer news (the read side reported the outcome).
            }
        }
    }

    private static async Task<bool> MoveNextAsync<TResponse>(IAsyncStreamReader<TResponse> reader, Task sender, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.MoveNext(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (sender.IsFaulted)
        {
            // The producer failed and the sender reset the call: its exception is the cause.
            await sender.ConfigureAwait(false);
            throw;
        }
    }

    private static async Task SendAsync<TRequest, TResponse>(
        AsyncDuplexStreamingCall<TRequest, TResponse> call, IAsyncEnumerable<TRequest> requests, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var request in requests.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            }

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Without the rest of its requests the call cannot be finished: reset it so the reader stops waiting.
            call.Dispose();
            throw;
        }
    }
}
