using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Cairn.Storage.Served;

/// <summary>
/// The client of br's local backup server (<see cref="ServedProtocol"/>): what a store uses when a job's backend is
/// <c>cloud_dynamic</c> with provider <see cref="ServedProtocol.ProviderName"/>, so that every store's files land in
/// the one folder br serves. Uploads stream, reads resume from their offset after a dropped connection, and every
/// failure is a <see cref="StorageException"/> classified as the other HTTP backends' are.
/// </summary>
public sealed class ServedStorage : IExternalStorage
{
    private readonly ServedStorageOptions _options;
    private readonly AuthenticationHeaderValue _authorization;

    /// <summary>Creates the client; nothing is sent until the first call.</summary>
    public ServedStorage(ServedStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!StorageUrl.IsHttpEndpoint(options.Endpoint.ToString()))
        {
            throw new StorageException($"the br local server endpoint \"{options.Endpoint.GetLeftPart(UriPartial.Authority)}\" must be an http:// or https:// URL with a host", isTransient: false, StorageErrorKind.InvalidArgument);
        }

        if (string.IsNullOrEmpty(options.Token))
        {
            throw new StorageException($"the br local server backend names no token (cloud_dynamic attrs \"{ServedProtocol.TokenAttribute}\"); br sends one with every job", isTransient: false, StorageErrorKind.InvalidArgument);
        }

        _options = options;
        _authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        var handler = options.HandlerFactory?.Invoke() ?? new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) };
        // An upload lasts as long as the store's (possibly rate-limited) sending: only waits for answers are bounded.
        Client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <inheritdoc/>
    public string Uri => _options.Uri;

    internal HttpClient Client { get; }

    internal Uri Endpoint => _options.Endpoint;

    /// <inheritdoc/>
    public ValueTask<IStorageWriter> CreateAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        return ValueTask.FromResult<IStorageWriter>(new ServedStorageWriter(this, path, Request(HttpMethod.Put, ObjectUri(path))));
    }

    /// <inheritdoc/>
    public async ValueTask<Stream> OpenReadAsync(string path, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        BackendHelpers.ValidateRead(path, offset, length);
        if (length == 0)
        {
            return await ExistsAsync(path, cancellationToken).ConfigureAwait(false)
                ? new MemoryStream([], writable: false)
                : throw new StorageException($"br local server read of '{path}' failed: HTTP 404: no such object", isTransient: false, StorageErrorKind.NotFound);
        }

        var first = await GetRangeAsync(path, offset, length, cancellationToken).ConfigureAwait(false);
        if (first is null)
        {
            return new MemoryStream([], writable: false);
        }

        var (body, count) = first.Value;
        var end = offset + count;
        return new ResumingReadStream(body, offset, count,
            async (from, _, ct) =>
            {
                var again = await GetRangeAsync(path, from, end - from, ct).ConfigureAwait(false)
                    ?? throw new StorageException($"br local server read of '{path}' failed: the object shrank while being read", isTransient: false, StorageErrorKind.Other);
                return again.Body;
            },
            _options.ReadAttempts,
            _options.RequestTimeout,
            e => ServedErrors.FromFailure(e, "read", path, CancellationToken.None)!);
    }

    /// <inheritdoc/>
    public async ValueTask<byte[]> ReadAllAsync(string path, CancellationToken cancellationToken = default) =>
        await BackendHelpers.ReadAllAsync(await OpenReadAsync(path, 0, null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask WriteAllAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        var request = Request(HttpMethod.Put, ObjectUri(path));
        request.Content = new ReadOnlyMemoryContent(data);
        using var response = await SendAsync(request, "upload", path, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "upload", path).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        using var response = await SendAsync(Request(HttpMethod.Head, ObjectUri(path)), "exists", path, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, "exists", path).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        using var response = await SendAsync(Request(HttpMethod.Delete, ObjectUri(path)), "delete", path, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            await EnsureSuccessAsync(response, "delete", path).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StorageObject> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var directory = StoragePath.NormalizeDirectory(prefix);
        var full = StoragePath.Join(_options.Prefix, directory);
        var uri = new Uri(_options.Endpoint, $"{ServedProtocol.ListPath}?prefix={System.Uri.EscapeDataString(full)}");
        using var response = await SendAsync(Request(HttpMethod.Get, uri), "list", prefix, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "list", prefix).ConfigureAwait(false);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(body);
        while (await ReadLineAsync(reader, prefix, cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var (path, size) = ParseListLine(line, prefix);
            if (_options.Prefix.Length > 0)
            {
                if (!path.StartsWith(_options.Prefix + "/", StringComparison.Ordinal))
                {
                    continue;
                }

                path = path[(_options.Prefix.Length + 1)..];
            }

            yield return new StorageObject(path, size);
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override string ToString() => $"ServedStorage({Uri})";

    internal HttpRequestMessage Request(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = _authorization;
        return request;
    }

    private Uri ObjectUri(string path) =>
        new(_options.Endpoint, ServedProtocol.ObjectsPath + ServedProtocol.EscapePath(StoragePath.Join(_options.Prefix, path)));

    // The body of [offset, offset + length) with its byte count, or null when the range starts at or past the end.
    private async Task<(Stream Body, long Count)?> GetRangeAsync(string path, long offset, long? length, CancellationToken cancellationToken)
    {
        var request = Request(HttpMethod.Get, ObjectUri(path));
        if (offset > 0 || length is not null)
        {
            request.Headers.Range = new RangeHeaderValue(offset, length is { } l ? offset + l - 1 : null);
        }

        var response = await SendAsync(request, "read", path, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                response.Dispose();
                return null;
            }

            await EnsureSuccessAsync(response, "read", path).ConfigureAwait(false);
            var count = response.Content.Headers.ContentLength
                ?? throw new StorageException($"br local server read of '{path}' failed: the answer has no length", isTransient: true, StorageErrorKind.ServerError);
            var range = response.Content.Headers.ContentRange;
            if (response.StatusCode == HttpStatusCode.PartialContent ? range?.From != offset : offset != 0)
            {
                throw new StorageException($"br local server read of '{path}' failed: asked for offset {offset}, got {range?.From ?? 0}", isTransient: true, StorageErrorKind.ServerError);
            }

            return (await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), count);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string operation, string path, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            try
            {
                return await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (ServedErrors.FromFailure(e, operation, path, cancellationToken) is { } mapped)
            {
                throw mapped;
            }
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, string path)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await ServedErrors.FromResponseAsync(response, operation, path, _options.Endpoint).ConfigureAwait(false);
        }
    }

    private static async Task<string?> ReadLineAsync(StreamReader reader, string prefix, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ServedErrors.FromFailure(e, "list", prefix, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    private static (string Path, long Size) ParseListLine(string line, string prefix)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            return (root.GetProperty("path").GetString() ?? "", root.GetProperty("size").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new StorageException($"br local server list of '{prefix}' failed: an entry could not be read", isTransient: true, StorageErrorKind.ServerError, e);
        }
    }
}
