using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;
using Cairn.Storage.S3;

namespace Cairn.Storage.Tests.S3;

/// <summary>How the exceptions the AWS SDK throws map onto kinds and transience.</summary>
public sealed class S3ErrorsTests
{
    private static AmazonS3Exception Service(HttpStatusCode status, string? code, string message = "") =>
        new(message, ErrorType.Sender, code, "request-id", status);

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, "SlowDown", StorageErrorKind.Throttled, true)]
    [InlineData(HttpStatusCode.TooManyRequests, null, StorageErrorKind.Throttled, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", StorageErrorKind.ServerError, true)]
    [InlineData(HttpStatusCode.InternalServerError, "InternalError", StorageErrorKind.ServerError, true)]
    [InlineData(HttpStatusCode.BadGateway, null, StorageErrorKind.ServerError, true)]
    [InlineData(HttpStatusCode.BadRequest, "RequestTimeout", StorageErrorKind.Network, true)]
    [InlineData(HttpStatusCode.NotFound, "NoSuchKey", StorageErrorKind.NotFound, false)]
    [InlineData(HttpStatusCode.NotFound, "NoSuchBucket", StorageErrorKind.NotFound, false)]
    [InlineData(HttpStatusCode.NotFound, null, StorageErrorKind.NotFound, false)]
    [InlineData(HttpStatusCode.Forbidden, "AccessDenied", StorageErrorKind.AccessDenied, false)]
    [InlineData(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", StorageErrorKind.AccessDenied, false)]
    [InlineData(HttpStatusCode.Forbidden, "InvalidAccessKeyId", StorageErrorKind.AccessDenied, false)]
    [InlineData(HttpStatusCode.BadRequest, "InvalidArgument", StorageErrorKind.InvalidArgument, false)]
    public void Service_errors_map_by_status_and_code(HttpStatusCode status, string? code, StorageErrorKind kind, bool transient)
    {
        var mapped = S3Errors.Map(Service(status, code), "read s3://b/k", CancellationToken.None)!;
        Assert.Equal(kind, mapped.Kind);
        Assert.Equal(transient, mapped.IsTransient);
        Assert.StartsWith("read s3://b/k: ", mapped.Message, StringComparison.Ordinal);
        Assert.Contains($"HTTP {(int)status}", mapped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_credentials_are_named_as_such()
    {
        var mapped = S3Errors.Map(Service(HttpStatusCode.Forbidden, "SignatureDoesNotMatch"), "op", CancellationToken.None)!;
        Assert.Contains("credentials are wrong", mapped.Message, StringComparison.Ordinal);
        var denied = S3Errors.Map(Service(HttpStatusCode.Forbidden, "AccessDenied"), "op", CancellationToken.None)!;
        Assert.DoesNotContain("credentials are wrong", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Network_failures_are_transient_also_when_wrapped_by_the_sdk()
    {
        var reset = new IOException("reset", new SocketException((int)SocketError.ConnectionReset));
        var unmarshalling = new AmazonUnmarshallingException("req", "/", reset, HttpStatusCode.OK);
        var refused = new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused));
        foreach (var exception in new Exception[] { reset, unmarshalling, refused, new AmazonClientException("send failed", refused), new TaskCanceledException("timeout") })
        {
            var mapped = S3Errors.Map(exception, "op", CancellationToken.None)!;
            Assert.Equal(StorageErrorKind.Network, mapped.Kind);
            Assert.True(mapped.IsTransient, exception.GetType().Name);
        }
    }

    [Fact]
    public void Cancellation_asked_for_by_the_caller_is_not_mapped()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Null(S3Errors.Map(new OperationCanceledException(cts.Token), "op", cts.Token));
    }

    [Fact]
    public void Messages_are_scrubbed_of_the_secrets_given()
    {
        const string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        var mapped = S3Errors.Map(Service(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", $"string to sign used {secret}"), "op", CancellationToken.None, secret)!;
        Assert.DoesNotContain(secret, mapped.Message, StringComparison.Ordinal);
        Assert.Contains(Redact.Placeholder, mapped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_client_errors_are_permanent()
    {
        var mapped = S3Errors.Map(new AmazonClientException("No RegionEndpoint or ServiceURL is configured"), "op", CancellationToken.None)!;
        Assert.Equal(StorageErrorKind.Other, mapped.Kind);
        Assert.False(mapped.IsTransient);
    }
}
