using System.Net;
using System.Text;

namespace Cairn.Storage;

/// <summary>
/// What the Azure Blob and GCS backends agree on about failures: which HTTP statuses mean what, which exceptions are
/// network failures, and one wording, "<c>{service} {operation} of '{target}' failed: HTTP {status} {code}</c>".
/// </summary>
internal static class HttpStatusErrors
{
    /// <summary>
    /// What every SDK exception mapping does first: our own exceptions pass through, the caller's cancellation
    /// propagates (<paramref name="mapped"/> null), and an aggregate of the SDK's attempts (one, with its retries off)
    /// is mapped by its first failure with <paramref name="map"/>. False when the backend has to map the exception itself.
    /// </summary>
    public static bool TryMapCommon(Exception exception, CancellationToken cancellationToken, Func<Exception, StorageException?> map, out StorageException? mapped)
    {
        switch (exception)
        {
            case StorageException storage:
                mapped = storage;
                return true;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                mapped = null;
                return true;
            case AggregateException { InnerExceptions.Count: > 0 } aggregate:
                mapped = map(aggregate.InnerExceptions[0]);
                return true;
            default:
                mapped = null;
                return false;
        }
    }

    /// <summary>Whether an exception is a network failure or a timeout (not the caller's cancellation).</summary>
    public static bool IsNetworkFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is HttpRequestException or IOException or System.Net.Sockets.SocketException or TimeoutException
        || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    public static (StorageErrorKind Kind, bool Transient) Classify(HttpStatusCode status) => (int)status switch
    {
        400 or 411 or 413 or 414 or 416 => (StorageErrorKind.InvalidArgument, false),
        401 or 403 => (StorageErrorKind.AccessDenied, false),
        404 => (StorageErrorKind.NotFound, false),
        408 => (StorageErrorKind.Network, true),
        429 => (StorageErrorKind.Throttled, true),
        503 => (StorageErrorKind.Throttled, true), // the service is shedding load (Azure's ServerBusy)
        >= 500 => (StorageErrorKind.ServerError, true),
        _ => (StorageErrorKind.Other, false),
    };

    /// <summary>
    /// The exception for a service answer. Only the status and the service's error code go into the message: the
    /// services' free-text messages may echo what was signed, and the SDKs' exception texts carry request details,
    /// so the SDK exception is not kept as the inner exception either.
    /// </summary>
    public static StorageException FromStatus(string service, string operation, string target, int status, string? code, string accessDeniedHint)
    {
        var (kind, transient) = Classify((HttpStatusCode)status);
        var text = new StringBuilder()
            .Append(service).Append(' ').Append(operation).Append(" of '").Append(target).Append("' failed: HTTP ").Append(status);
        if (!string.IsNullOrEmpty(code))
        {
            text.Append(' ').Append(code);
        }
        if (kind == StorageErrorKind.AccessDenied)
        {
            text.Append(' ').Append(accessDeniedHint);
        }
        return new StorageException(text.ToString(), transient, kind);
    }

    /// <summary>The exception for a request that got no answer: transient, "timed out" when it was a timeout.</summary>
    public static StorageException FromNetworkFailure(string service, string operation, string target, Exception exception, CancellationToken cancellationToken)
    {
        var root = exception;
        while (root.InnerException is { } inner && root is not (HttpRequestException or IOException or System.Net.Sockets.SocketException))
        {
            root = inner;
        }
        var timeout = (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested) || root is TimeoutException;
        var what = timeout ? "timed out" : "failed: " + root.GetType().Name + ": " + root.Message;
        return new StorageException($"{service} {operation} of '{target}' {what}", isTransient: true, StorageErrorKind.Network, root);
    }
}
