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
/// <param name="readCode">Finds the service's error code in a failed response; empty when there is none.</param>
/// <param name="reasonPhraseFallback">Whether the HTTP reason phrase stands in, in parentheses, when there is no code.</param>
internal sealed class HttpErrorMapper(string service, string accessDeniedHint, Func<HttpResponseMessage, CancellationToken, Task<string>> readCode,
    bool reasonPhraseFallback)
{
    public async Task<StorageException> FromResponseAsync(string operation, string target, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var code = await readCode(response, cancellationToken).ConfigureAwait(false);
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
}
