using System.Net;
using System.Net.Sockets;
using System.Xml;
using Amazon.Runtime;

namespace Cairn.Storage.S3;

/// <summary>Maps what the AWS SDK throws onto <see cref="StorageException"/> kinds and transience.</summary>
internal static class S3Errors
{
    private static readonly HashSet<string> ThrottleCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests", "RequestThrottled",
        "ProvisionedThroughputExceededException", "BandwidthLimitExceeded",
    };

    private static readonly HashSet<string> CredentialCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired",
    };

    /// <summary>
    /// Returns the <see cref="StorageException"/> for <paramref name="exception"/>, or null when it is the
    /// cancellation the caller asked for. Every message is scrubbed of <paramref name="secrets"/>.
    /// </summary>
    public static StorageException? Map(Exception exception, string operation, CancellationToken cancellationToken, params ReadOnlySpan<string?> secrets)
    {
        var mapped = MapCore(exception, operation, cancellationToken);
        if (mapped is null || ReferenceEquals(mapped, exception))
        {
            return mapped;
        }

        var message = Redact.Secrets(mapped.Message, secrets);
        return string.Equals(message, mapped.Message, StringComparison.Ordinal)
            ? mapped
            : new StorageException(message, mapped.IsTransient, mapped.Kind, mapped.InnerException);
    }

    private static StorageException? MapCore(Exception exception, string operation, CancellationToken cancellationToken)
    {
        if (exception is StorageException storage)
        {
            return storage;
        }

        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        if (exception is AmazonServiceException service && (int)service.StatusCode >= 400)
        {
            return FromStatus(service, operation);
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SocketException socket:
                    return new StorageException($"{operation}: cannot reach the endpoint ({socket.SocketErrorCode})", isTransient: true, StorageErrorKind.Network, exception);
                case HttpRequestException or IOException or XmlException:
                    return new StorageException($"{operation}: network error: {e.Message}", isTransient: true, StorageErrorKind.Network, exception);
                case OperationCanceledException or TimeoutException:
                    return new StorageException($"{operation}: timed out", isTransient: true, StorageErrorKind.Network, exception);
            }
        }
        return new StorageException($"{operation}: {exception.Message}", isTransient: false, StorageErrorKind.Other, exception);
    }

    private static StorageException FromStatus(AmazonServiceException e, string operation)
    {
        var status = (int)e.StatusCode;
        var code = string.IsNullOrEmpty(e.ErrorCode) ? e.StatusCode.ToString() : e.ErrorCode;
        var detail = string.IsNullOrWhiteSpace(e.Message) || e.Message.StartsWith("Error making request", StringComparison.Ordinal)
            ? ""
            : ": " + e.Message;
        var suffix = $" (HTTP {status} {code}){detail}";

        if (ThrottleCodes.Contains(code) || e.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return new StorageException($"{operation}: the service asks to slow down{suffix}", isTransient: true, StorageErrorKind.Throttled, e);
        }

        if (e.StatusCode == HttpStatusCode.NotFound || code is "NoSuchKey" or "NoSuchBucket" or "NoSuchUpload")
        {
            var what = code == "NoSuchBucket" ? "the bucket does not exist" : "not found";
            return new StorageException($"{operation}: {what}{suffix}", isTransient: false, StorageErrorKind.NotFound, e);
        }
        if (e.StatusCode == HttpStatusCode.Forbidden || CredentialCodes.Contains(code) || code == "AccessDenied")
        {
            var what = CredentialCodes.Contains(code) ? "access denied, the credentials are wrong" : "access denied";
            return new StorageException($"{operation}: {what}{suffix}", isTransient: false, StorageErrorKind.AccessDenied, e);
        }
        if (code is "RequestTimeout" or "RequestTimeoutException" || e.StatusCode == HttpStatusCode.RequestTimeout)
        {
            return new StorageException($"{operation}: the request timed out{suffix}", isTransient: true, StorageErrorKind.Network, e);
        }

        if (status >= 500 || code is "InternalError" or "ServiceUnavailable")
        {
            return new StorageException($"{operation}: the service failed{suffix}", isTransient: true, StorageErrorKind.ServerError, e);
        }

        return new StorageException($"{operation}: the request was rejected{suffix}", isTransient: false, StorageErrorKind.InvalidArgument, e);
    }
}
