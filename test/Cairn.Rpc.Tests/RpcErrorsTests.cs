using GrpcException = Grpc.Core.RpcException;
using GrpcStatus = Grpc.Core.Status;
using GrpcStatusCode = Grpc.Core.StatusCode;

namespace Cairn.Rpc.Tests;

public sealed class RpcErrorsTests
{
    [Theory]
    [InlineData(0x0L, StatusCode.Unavailable)] // the server closed the connection before answering
    [InlineData(0x2L, StatusCode.Internal)]
    [InlineData(0x7L, StatusCode.Unavailable)]
    [InlineData(0x8L, StatusCode.Cancelled)]
    [InlineData(0xBL, StatusCode.ResourceExhausted)]
    public void Http2_error_codes_map_to_grpc_statuses(long errorCode, StatusCode expected) =>
        Assert.Equal(expected, RpcErrors.FromHttp2Error(errorCode));

    [Fact]
    public void A_connection_closed_with_no_error_before_a_status_is_unavailable_not_internal()
    {
        // What Grpc.Net.Client reports when a store shutting down sends GOAWAY under a running call.
        var cause = new HttpRequestException("closed", new HttpProtocolException(0, "The HTTP/2 server closed the connection. HTTP/2 error code 'NO_ERROR' (0x0).", null));
        var grpc = new GrpcException(new GrpcStatus(GrpcStatusCode.Internal, "Error starting gRPC call.", cause));

        var mapped = RpcErrors.FromGrpc(grpc);

        Assert.Equal(StatusCode.Unavailable, mapped.Status);
        Assert.True(mapped.IsTransient);
    }

    [Theory]
    [InlineData(GrpcStatusCode.Unavailable, true)]
    [InlineData(GrpcStatusCode.DeadlineExceeded, true)]
    [InlineData(GrpcStatusCode.NotFound, false)]
    [InlineData(GrpcStatusCode.Internal, false)]
    [InlineData(GrpcStatusCode.Unimplemented, false)]
    public void Statuses_keep_their_codes_and_say_whether_a_retry_may_help(GrpcStatusCode code, bool transient)
    {
        var mapped = RpcErrors.FromGrpc(new GrpcException(new GrpcStatus(code, "detail")));

        Assert.Equal((int)code, (int)mapped.Status);
        Assert.Equal("detail", mapped.Detail);
        Assert.Equal(transient, mapped.IsTransient);
    }

    [Fact]
    public void A_transport_failure_names_the_peer_and_the_cause_without_exception_type_names()
    {
        // What Grpc.Net.Client reports for a refused connection.
        var cause = new HttpRequestException("Connection refused (127.0.0.1:1)", new System.Net.Sockets.SocketException(111));
        var grpc = new GrpcException(new GrpcStatus(GrpcStatusCode.Unavailable,
            "Error starting gRPC call. HttpRequestException: Connection refused (127.0.0.1:1) SocketException: Connection refused", cause));

        var mapped = RpcErrors.FromGrpc(grpc, "127.0.0.1:1");

        Assert.Equal(StatusCode.Unavailable, mapped.Status);
        Assert.StartsWith("could not reach 127.0.0.1:1: ", mapped.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", mapped.Detail, StringComparison.Ordinal);
    }
}
