using Cairn.Common.Errors;

namespace Cairn.Rpc;

/// <summary>
/// A call ended with a non-OK gRPC status. Thrown by calls made through an <see cref="RpcChannel"/>; thrown by a
/// service hosted on an <see cref="RpcServer"/>, it is sent to the client as that status and message.
/// </summary>
public sealed class RpcException : Exception, ITransientAware
{
    /// <summary>Creates an exception carrying <paramref name="status"/> and the human-readable <paramref name="detail"/>.</summary>
    public RpcException(StatusCode status, string detail)
        : base(FormatMessage(status, detail))
    {
        Status = status;
        Detail = detail;
    }

    /// <summary>Creates an exception carrying <paramref name="status"/>, <paramref name="detail"/> and its cause.</summary>
    public RpcException(StatusCode status, string detail, Exception? innerException)
        : base(FormatMessage(status, detail), innerException)
    {
        Status = status;
        Detail = detail;
    }

    /// <summary>The gRPC status code.</summary>
    public StatusCode Status { get; }

    /// <summary>The decoded <c>grpc-message</c> (may be empty).</summary>
    public string Detail { get; }

    /// <summary>
    /// Whether retrying the same call may succeed: the peer was unreachable, overloaded or slow.
    /// </summary>
    public bool IsTransient => Status is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or StatusCode.Aborted;

    private static string FormatMessage(StatusCode status, string detail)
        => detail.Length == 0 ? $"gRPC status {status}" : $"gRPC status {status}: {detail}";
}
