using System.Net;

namespace Cairn.Storage.Http;

/// <summary>
/// The request plumbing of the REST backends: one pooled <see cref="HttpClient"/>, a per-request timeout, the
/// backend's authorization, and failures turned into <see cref="StorageException"/>s by the backend's error mapping.
/// </summary>
internal sealed class HttpTransport : IDisposable
{
    private readonly HttpClient _http;
    private readonly TimeSpan _requestTimeout;
    private readonly Authorize _authorize;
    private readonly HttpErrorMapper _errors;

    /// <param name="handler">Carries the requests instead of an own connection pool; not disposed here.</param>
    /// <param name="requestTimeout">How long a request may take up to its response (or to its whole body, when the
    /// body is read with the response).</param>
    /// <param name="authorize">Adds the backend's headers and credentials to a request about to be sent.</param>
    /// <param name="errors">The backend's error mapping.</param>
    public HttpTransport(HttpMessageHandler? handler, TimeSpan requestTimeout, Authorize authorize, HttpErrorMapper errors)
    {
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.None, AllowAutoRedirect = false })
            : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan; // per request in SendAsync
        _requestTimeout = requestTimeout;
        _authorize = authorize;
        _errors = errors;
    }

    public delegate ValueTask Authorize(HttpRequestMessage request, CancellationToken cancellationToken);

    /// <summary>Authorizes and sends a request; a network failure or timeout throws a transient <see cref="StorageException"/>.</summary>
    /// <remarks><paramref name="unbounded"/> sends without the request timeout (for a body that lasts as long as its producer).</remarks>
    public async Task<HttpResponseMessage> SendAsync(string operation, string target, HttpRequestMessage request, HttpCompletionOption completion,
        CancellationToken cancellationToken, bool unbounded = false)
    {
        await _authorize(request, cancellationToken).ConfigureAwait(false);
        using var timeout = unbounded ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout?.CancelAfter(_requestTimeout);
        try
        {
            return await _http.SendAsync(request, completion, timeout?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (HttpErrors.IsNetworkFailure(e, cancellationToken))
        {
            throw _errors.FromException(operation, target, e, cancellationToken);
        }
    }

    /// <summary>Throws the backend's <see cref="StorageException"/> for a response that is not a success.</summary>
    public async Task EnsureSuccessAsync(string operation, string target, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await _errors.FromResponseAsync(operation, target, response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a request whose answer carries nothing to read; <paramref name="tolerated"/> counts as success
    /// (404 for a delete of what is already gone, 409 for a create of what exists).</summary>
    public async Task SendTolerantAsync(string operation, string target, HttpRequestMessage request, HttpStatusCode tolerated, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(operation, target, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != tolerated)
        {
            await EnsureSuccessAsync(operation, target, response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends a ranged GET and returns its successful response (its body not yet read), or null on 416 (the range
    /// starts at or past the end). A <paramref name="changedStatus"/> answer means the object was replaced under a
    /// pinned version: it fails permanently with <paramref name="changedMessage"/>.
    /// </summary>
    public async Task<HttpResponseMessage?> GetRangeAsync(string operation, string target, HttpRequestMessage request,
        HttpStatusCode? changedStatus, string changedMessage, CancellationToken cancellationToken)
    {
        var response = await SendAsync(operation, target, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            response.Dispose();
            return null;
        }
        if (response.StatusCode == changedStatus)
        {
            response.Dispose();
            throw new StorageException(changedMessage, false, StorageErrorKind.Other);
        }
        try
        {
            await EnsureSuccessAsync(operation, target, response, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }
        return response;
    }

    /// <summary>Reads a successful response's body as a whole, wrapping a connection that breaks mid-body.</summary>
    public async Task<T> ReadBodyAsync<T>(string operation, string target, HttpResponseMessage response, Func<Stream, CancellationToken, Task<T>> parse,
        CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return await parse(body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (HttpErrors.IsNetworkFailure(e, cancellationToken))
        {
            throw _errors.FromException(operation, target, e, cancellationToken);
        }
    }

    public void Dispose() => _http.Dispose();
}
