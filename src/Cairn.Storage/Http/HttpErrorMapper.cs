using System.Net;
using System.Text;

namespace Cairn.Storage.Http;

/// <summary>
/// Turns one REST backend's failures into <see cref="StorageException"/>s worded
/// "<c>{service} {operation} of '{target}' failed: HTTP {status} {code}</c>"; the backend only says how to find
/// the error code in a response.
/// </summary>
/// <param name="service">The backend's name at the start of every message.</param>
/// <param name="accessDeniedHint">Appended to access denials: what to check.</param>
/// <param name="codeHeader">A response header that carries the error code, or null; when present the body is not read.</param>
/// <param name="codeFromBody">Finds the error code in the start of a non-empty error body; empty when there is none.</param>
/// <param name="reasonPhraseFallback">Whether the HTTP reason phrase stands in, in parentheses, when there is no code.</param>
internal sealed class HttpErrorMapper(string service, string accessDeniedHint, string? codeHeader, Func<ArraySegment<byte>, string> codeFromBody,
    bool reasonPhraseFallback)
{
    private const int MaxErrorBody = 16 * 1024;

    public async Task<StorageException> FromResponseAsync(string operation, string target, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var code = await ErrorCodeAsync(response, cancellationToken).ConfigureAwait(false);
        var (kind, transient) = HttpErrors.Classify(response.StatusCode);
        var text = new StringBuilder()
            .Append(service).Append(' ').Append(operation).Append(" of '").Append(target).Append("' failed: HTTP ").Append((int)response.StatusCode);
        if (code.Length > 0)
        {
            text.Append(' ').Append(code);
        }
        else if (reasonPhraseFallback && !string.IsNullOrEmpty(response.ReasonPhrase))
        {
            text.Append(" (").Append(response.ReasonPhrase).Append(')');
        }
        if (kind == StorageErrorKind.AccessDenied)
        {
            text.Append(' ').Append(accessDeniedHint);
        }
        return new StorageException(text.ToString(), transient, kind);
    }

    public StorageException FromException(string operation, string target, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is StorageException storage)
        {
            return storage;
        }
        var timeout = exception is OperationCanceledException && !cancellationToken.IsCancellationRequested;
        var what = timeout ? "timed out" : "failed: " + exception.GetType().Name + ": " + exception.Message;
        return new StorageException($"{service} {operation} of '{target}' {what}", isTransient: true, StorageErrorKind.Network, exception);
    }

    private async Task<string> ErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (codeHeader is not null && response.Headers.TryGetValues(codeHeader, out var values))
        {
            return string.Join(",", values);
        }
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[MaxErrorBody];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += n;
            }
            return read == 0 ? "" : codeFromBody(new ArraySegment<byte>(buffer, 0, read));
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // The body is only a hint; the status still classifies the failure.
        }
        return "";
    }
}
