using System.Net;
using System.Text;

namespace Cairn.Storage.Http;

/// <summary>
/// The error mapping the REST backends share: status classification, network failures, and the wording of
/// "<c>{service} {operation} of '{target}' failed: HTTP {status} {code}</c>". Each backend only finds its error code.
/// </summary>
internal static class HttpErrors
{
    private const int MaxErrorBody = 16 * 1024;

    /// <summary>Builds the exception for a failed response whose error code (possibly empty) is already known.</summary>
    /// <param name="fallback">Shown in parentheses when there is no code; null shows nothing.</param>
    /// <param name="accessDeniedHint">Appended to access denials: what to check.</param>
    public static StorageException FromResponse(string service, string operation, string target, HttpStatusCode status, string code,
        string? fallback, string accessDeniedHint)
    {
        var (kind, transient) = Classify(status);
        var text = new StringBuilder()
            .Append(service).Append(' ').Append(operation).Append(" of '").Append(target).Append("' failed: HTTP ").Append((int)status);
        if (code.Length > 0)
        {
            text.Append(' ').Append(code);
        }
        else if (!string.IsNullOrEmpty(fallback))
        {
            text.Append(" (").Append(fallback).Append(')');
        }
        if (kind == StorageErrorKind.AccessDenied)
        {
            text.Append(' ').Append(accessDeniedHint);
        }
        return new StorageException(text.ToString(), transient, kind);
    }

    public static StorageException FromException(string service, string operation, string target, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is StorageException storage)
        {
            return storage;
        }
        var timeout = exception is OperationCanceledException && !cancellationToken.IsCancellationRequested;
        var what = timeout ? "timed out" : "failed: " + exception.GetType().Name + ": " + exception.Message;
        return new StorageException($"{service} {operation} of '{target}' {what}", isTransient: true, StorageErrorKind.Network, exception);
    }

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
