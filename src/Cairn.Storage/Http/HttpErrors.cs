using System.Net;

namespace Cairn.Storage.Http;

/// <summary>What the REST backends agree on about failures: which statuses mean what, which exceptions are network
/// failures, and how much of an error body to read for its code.</summary>
internal static class HttpErrors
{
    private const int MaxErrorBody = 16 * 1024;

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

    /// <summary>
    /// The start of an error body, enough to find its code (empty when there is none, as after a HEAD). Throws what
    /// the response stream throws (<see cref="IOException"/>, <see cref="HttpRequestException"/>).
    /// </summary>
    public static async Task<ArraySegment<byte>> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxErrorBody];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
        {
            read += n;
        }
        return new ArraySegment<byte>(buffer, 0, read);
    }
}
