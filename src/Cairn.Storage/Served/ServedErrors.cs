using System.Net;

namespace Cairn.Storage.Served;

/// <summary>The <see cref="StorageException"/>s of the local-server backend, worded "br local server {operation} of '{path}' …".</summary>
internal static class ServedErrors
{
    private const string Service = "br local server";
    private const int MaxBodyShown = 512;

    /// <summary>The exception for an answer that is not a success; the server's one-line reason is kept (it holds no secret).</summary>
    public static async Task<StorageException> FromResponseAsync(HttpResponseMessage response, string operation, string target, Uri endpoint)
    {
        var reason = "";
        try
        {
            var body = await response.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false);
            reason = body.Length > MaxBodyShown ? body[..MaxBodyShown] : body;
            reason = reason.ReplaceLineEndings(" ").Trim();
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            // The status says enough.
        }

        var status = (int)response.StatusCode;
        var (kind, transient) = HttpStatusErrors.Classify(response.StatusCode);
        var text = $"{Service} {operation} of '{target}' failed: HTTP {status}";
        if (reason.Length > 0)
        {
            text += ": " + reason;
        }

        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            text += $" (the server at {endpoint.GetLeftPart(UriPartial.Authority)} accepts only the token of the job that started it: is that job still running?)";
        }

        return new StorageException(text, transient, kind);
    }

    /// <summary>The exception for a request that got no answer (transient), or null for the caller's own cancellation.</summary>
    public static StorageException? FromFailure(Exception exception, string operation, string target, CancellationToken cancellationToken) => exception switch
    {
        StorageException storage => storage,
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,
        var e when HttpStatusErrors.IsNetworkFailure(e, cancellationToken) => HttpStatusErrors.FromNetworkFailure(Service, operation, target, e, cancellationToken),
        _ => new StorageException($"{Service} {operation} of '{target}' failed: {exception.GetType().Name}: {exception.Message}", isTransient: false, StorageErrorKind.Other, exception),
    };
}
