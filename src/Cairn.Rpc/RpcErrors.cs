using GrpcException = Grpc.Core.RpcException;
using GrpcStatus = Grpc.Core.Status;
using GrpcStatusCode = Grpc.Core.StatusCode;

namespace Cairn.Rpc;

/// <summary>
/// Translates between Grpc.Core's exceptions and ours, at the two edges of the stack (client interceptor, server
/// interceptor), so the rest of the code sees one vocabulary: <see cref="RpcException"/> with <see cref="StatusCode"/>.
/// </summary>
internal static class RpcErrors
{
    /// <summary>
    /// Maps a failed call to our <see cref="RpcException"/>; a call the caller cancelled is CANCELLED, as before the
    /// official stack (callers test their own token to tell it from a server-side cancellation).
    /// </summary>
    /// <param name="e">The failure Grpc.Core reported.</param>
    /// <param name="target">The peer (<c>host:port</c>), named in failures that never reached it.</param>
    public static RpcException FromGrpc(GrpcException e, string? target = null)
    {
        var status = (StatusCode)(int)e.StatusCode;
        if (status is StatusCode.Internal or StatusCode.Unknown && Http2ErrorOf(e) is { } http2Error)
        {
            status = FromHttp2Error(http2Error);
        }

        var detail = e.Status.Detail;
        if (status is not StatusCode.Cancelled && e.Status.DebugException is { } failed && TlsFailureOf(failed) is { } tls)
        {
            // A handshake that failed will fail again the same way: not UNAVAILABLE (which callers retry), and the
            // message says what TLS refused rather than "could not reach".
            status = StatusCode.Unauthenticated;
            detail = target is null ? $"TLS handshake failed: {tls}" : $"TLS handshake with {target} failed: {tls}";
        }
        else if (status is not StatusCode.Cancelled && e.Status.DebugException is { } transport)
        {
            // A transport failure (connect refused, connection reset). Grpc.Net.Client's detail strings the exception
            // chain together with its type names ("Error starting gRPC call. HttpRequestException: ..."), which reads
            // like a crash in a user's terminal; the innermost cause says what happened, the target says to whom.
            var cause = transport.GetBaseException().Message;
            detail = target is null ? $"transport failure: {cause}" : $"could not reach {target}: {cause}";
        }

        return new RpcException(status, detail, e.Status.DebugException ?? e);
    }

    /// <summary>Maps our exception to the status Grpc.AspNetCore sends.</summary>
    public static GrpcException ToGrpc(RpcException e) => new(new GrpcStatus((GrpcStatusCode)(int)e.Status, e.Detail));

    /// <summary>Maps an HTTP/2 RST_STREAM/GOAWAY error code to a gRPC status, following the gRPC HTTP/2 mapping.</summary>
    /// <remarks>
    /// NO_ERROR reaches a caller only when the server closed the connection (GOAWAY while shutting down) or reset the
    /// stream before sending a status: the server went away without answering, so the call is UNAVAILABLE (transient,
    /// worth retrying elsewhere), as gRPC's C-core transports report a closing transport. Grpc.Net.Client reports such
    /// a call as INTERNAL, which callers would take for a permanent failure.
    /// </remarks>
    public static StatusCode FromHttp2Error(long errorCode) => errorCode switch
    {
        0x0 => StatusCode.Unavailable, // NO_ERROR: graceful close before a status
        0x7 => StatusCode.Unavailable, // REFUSED_STREAM
        0x8 => StatusCode.Cancelled, // CANCEL
        0xB => StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
        0xC => StatusCode.PermissionDenied, // INADEQUATE_SECURITY
        _ => StatusCode.Internal,
    };

    /// <summary>
    /// What a failed TLS handshake said, when <paramref name="e"/>'s chain holds one: our own validation's message
    /// (<see cref="Security.TlsSettings"/>) as it is, the peer's alert with the likely cause.
    /// </summary>
    internal static string? TlsFailureOf(Exception e)
    {
        var chain = Chain(e).ToList();
        if (chain.OfType<System.Security.Authentication.AuthenticationException>().FirstOrDefault() is { } auth)
        {
            var all = string.Join(": ", Chain(auth).Select(x => x.Message).Distinct());
            if (all.Contains("alert", StringComparison.OrdinalIgnoreCase))
            {
                return $"the server refused our certificate ({auth.GetBaseException().Message}); is --cert signed by the cluster's CA and still valid?";
            }

            // Our own validation (TlsSettings) says exactly what was wrong; anything else is a handshake that broke.
            return auth.Message.Contains("--ca", StringComparison.Ordinal) ? auth.Message : $"{all}; does the server speak TLS? a cleartext server cannot answer --ca/--cert/--key";
        }

        if (chain.OfType<HttpRequestException>().FirstOrDefault(h => h.HttpRequestError == HttpRequestError.SecureConnectionError) is { } secure)
        {
            return $"{secure.GetBaseException().Message}; does the server speak TLS? a cleartext server cannot answer --ca/--cert/--key";
        }

        return null;
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            yield return inner;
        }
    }

    private static long? Http2ErrorOf(GrpcException e)
    {
        for (Exception? inner = e.Status.DebugException ?? e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpProtocolException protocol)
            {
                return protocol.ErrorCode;
            }

            if (inner is HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded })
            {
                // The connection closed under the response without any reset: same meaning as NO_ERROR.
                return 0;
            }
        }

        return null;
    }
}
