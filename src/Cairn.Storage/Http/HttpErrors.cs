using System.Net;

namespace Cairn.Storage.Http;

/// <summary>What the REST backends agree on about failures: which statuses mean what and which exceptions are network failures.</summary>
internal static class HttpErrors
{
    /// <summary>Whether an exception thrown by HttpClient or a response stream is a network failure worth wrapping.</summary>
    public static bool IsNetworkFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is HttpRequestException or IOException
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
}
