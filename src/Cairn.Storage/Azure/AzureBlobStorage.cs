using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Xml.Linq;
using Cairn.Storage.Http;

namespace Cairn.Storage.Azure;

/// <summary>
/// Azure Blob storage over the REST API: block blobs in one container under an optional prefix, authorized with
/// the account key (Shared Key) or a shared access signature.
/// </summary>
/// <remarks>
/// Small objects are written with one Put Blob; larger ones are staged as blocks of <see cref="AzureBlobOptions.BlockSize"/>
/// and published with Put Block List, so an abandoned writer leaves only uncommitted blocks, which the service never
/// lists and discards after a week. Downloads are ranged GETs that reconnect where they broke off.
/// </remarks>
public sealed class AzureBlobStorage : IExternalStorage
{
    /// <summary>The REST API version sent with every request (supported by Azure and by azurite 3.x).</summary>
    public const string ApiVersion = "2021-12-02";

    private const int MaxBlockSize = 1 << 30; // the service allows 4000 MiB; a writer holds one block in memory
    private const int MaxSinglePut = 256 * 1024 * 1024;

    private readonly HttpTransport _http;
    private readonly AzureSharedKeySigner? _signer;
    private readonly string? _sas;
    private readonly string _containerUrl;
    private readonly string _prefix;

    private AzureBlobStorage(AzureBlobOptions options, HttpMessageHandler? handler, AzureSharedKeySigner? signer, string? sas, string containerUrl, string prefix, RetryPolicy requestRetry)
    {
        RequestRetry = requestRetry;
        Options = options;
        _http = new HttpTransport(handler, options.RequestTimeout, Authorize, AzureErrors.Mapper);
        _signer = signer;
        _sas = sas;
        _containerUrl = containerUrl;
        _prefix = prefix;
        Uri = prefix.Length == 0 ? $"azure://{options.Container}" : $"azure://{options.Container}/{prefix.TrimEnd('/')}";
    }

    /// <inheritdoc/>
    public string Uri { get; }

    /// <summary>How a writer retries each of its requests (a failed block is sent again from its buffer) and a listing each page.</summary>
    public RetryPolicy RequestRetry { get; }

    /// <summary>The options the storage was opened with (print with <see cref="AzureBlobOptions.ToString"/>, which redacts secrets).</summary>
    public AzureBlobOptions Options { get; }

    /// <summary>Connects to the container, checks that it exists and that the credentials are accepted.</summary>
    /// <exception cref="StorageException">The container is missing (<see cref="StorageErrorKind.NotFound"/>), the
    /// credentials are refused (<see cref="StorageErrorKind.AccessDenied"/>) or the options are invalid.</exception>
    public static Task<AzureBlobStorage> OpenAsync(AzureBlobOptions options, CancellationToken cancellationToken = default) =>
        OpenAsync(options, requestRetry: null, handler: null, cancellationToken);

    /// <summary>As <see cref="OpenAsync(AzureBlobOptions, CancellationToken)"/>, with a retry policy for the requests inside one
    /// operation that can be repeated alone (blocks, block list, listing pages; null means none: pass the policy of the
    /// <see cref="RetryingStorage"/> around it) and, optionally, a handler that carries the requests (not disposed by
    /// the storage) instead of the storage's own connection pool.</summary>
    public static async Task<AzureBlobStorage> OpenAsync(AzureBlobOptions options, RetryPolicy? requestRetry, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Check(!string.IsNullOrEmpty(options.Container), "the container name is empty");
        Check(options.BlockSize is > 0 and <= MaxBlockSize, $"BlockSize must be between 1 and {MaxBlockSize} bytes");
        Check(options.ListPageSize is > 0 and <= 5000, "ListPageSize must be between 1 and 5000");
        Check(options.UploadConcurrency is > 0 and <= 64, "UploadConcurrency must be between 1 and 64");
        Check(options.ReadAttempts >= 0, "ReadAttempts must not be negative");
        Check(options.RequestTimeout > TimeSpan.Zero, "RequestTimeout must be positive");
        var prefix = ObjectPath.NormalizePrefix(options.Prefix);

        var accountKey = options.AccountKey;
        var sas = options.SasToken;
        var account = options.AccountName;
        if (accountKey is null && sas is null)
        {
            accountKey = NullIfEmpty(Environment.GetEnvironmentVariable("AZURE_STORAGE_KEY"));
            sas = NullIfEmpty(Environment.GetEnvironmentVariable("AZURE_STORAGE_SAS_TOKEN"));
        }
        account ??= NullIfEmpty(Environment.GetEnvironmentVariable("AZURE_STORAGE_ACCOUNT")) ?? AccountFromEndpoint(options.Endpoint);
        Check(accountKey is not null || sas is not null,
            "no Azure credentials: give an account key or a SAS token (or set AZURE_STORAGE_KEY / AZURE_STORAGE_SAS_TOKEN)");
        Check(options.Endpoint is not null || account is not null, "the Azure account name is needed when no endpoint is given");
        Check(accountKey is null || account is not null, "the Azure account name is needed for Shared Key authorization");

        var endpoint = (options.Endpoint ?? $"https://{account}.blob.core.windows.net").TrimEnd('/');
        Check(System.Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri) && endpointUri.Scheme is "http" or "https",
            "the Azure endpoint must be an absolute http or https URL");
        var signer = accountKey is not null ? new AzureSharedKeySigner(account!, accountKey) : null;
        sas = signer is null ? sas!.TrimStart('?') : null;

        var storage = new AzureBlobStorage(options, handler, signer, sas, endpoint + "/" + System.Uri.EscapeDataString(options.Container), prefix, requestRetry ?? RetryPolicy.None);
        return await HttpObjects.CheckOpenedAsync(storage, async (s, ct) =>
        {
            if (options.CreateContainer)
            {
                await s.CreateContainerAsync(ct).ConfigureAwait(false);
            }
            if (options.CheckContainerOnOpen)
            {
                await s.CheckContainerAsync(ct).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<IStorageWriter> CreateAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        return ValueTask.FromResult<IStorageWriter>(new AzureBlobWriter(this, path, Options.BlockSize, Options.UploadConcurrency));
    }

    /// <inheritdoc/>
    public async ValueTask<Stream> OpenReadAsync(string path, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        HttpObjects.ValidateRead(path, offset, length);
        if (length == 0)
        {
            if (!await ExistsAsync(path, cancellationToken).ConfigureAwait(false))
            {
                throw new StorageException($"Azure Blob read of '{path}' failed: HTTP 404 BlobNotFound", isTransient: false, StorageErrorKind.NotFound);
            }
            return new MemoryStream([], writable: false);
        }

        var response = await GetRangeAsync("read", path, offset, length, ifMatch: null, cancellationToken).ConfigureAwait(false);
        if (response is { StatusCode: HttpStatusCode.PartialContent, Content.Headers.ContentLength: 0 })
        {
            // azurite answers a range starting exactly at the end with an empty 206 ("bytes N-(N-1)/N") instead of 416.
            response.Dispose();
            response = null;
        }
        if (response is null)
        {
            // 416: the range starts at or past the end.
            // A range that starts at or past the end reads as empty, as a file read there would; the blob must exist.
            _ = await SizeAsync(path, cancellationToken).ConfigureAwait(false);
            return new MemoryStream([], writable: false);
        }
        try
        {
            var (start, count) = BodyRange(response, offset, path);
            var etag = response.Headers.ETag?.Tag;
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new ResumingReadStream(body, start, count,
                async (from, remaining, ct) =>
                {
                    var again = await GetRangeAsync("read", path, from, remaining, etag, ct).ConfigureAwait(false)
                        ?? throw new StorageException($"Azure Blob read of '{path}' failed: the blob shrank while being read", false, StorageErrorKind.Other);
                    var (againStart, _) = BodyRange(again, from, path);
                    if (againStart != from)
                    {
                        again.Dispose();
                        throw new StorageException($"Azure Blob read of '{path}' failed: asked for offset {from}, got {againStart}", true, StorageErrorKind.ServerError);
                    }
                    return await again.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                },
                Options.ReadAttempts,
                Options.RequestTimeout,
                e => AzureErrors.Mapper.FromException("read", path, e, CancellationToken.None));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<byte[]> ReadAllAsync(string path, CancellationToken cancellationToken = default) =>
        await HttpObjects.ReadAllAsync(await OpenReadAsync(path, 0, null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask WriteAllAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        if (data.Length <= MaxSinglePut)
        {
            await PutBlobAsync(path, data, cancellationToken).ConfigureAwait(false);
            return;
        }
        await HttpObjects.WriteAllAsync(new AzureBlobWriter(this, path, Options.BlockSize, Options.UploadConcurrency), data, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        return await SizeOrNullAsync(path, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        using var request = new HttpRequestMessage(HttpMethod.Delete, BlobUrl(path));
        request.Headers.TryAddWithoutValidation("x-ms-delete-snapshots", "include");
        await _http.SendTolerantAsync("delete", path, request, HttpStatusCode.NotFound, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StorageObject> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var full = _prefix + ObjectPath.ListPrefix(prefix);
        string? marker = null;
        do
        {
            var query = $"restype=container&comp=list&maxresults={Options.ListPageSize.ToString(CultureInfo.InvariantCulture)}";
            if (full.Length > 0)
            {
                query += "&prefix=" + System.Uri.EscapeDataString(full);
            }
            if (marker is not null)
            {
                query += "&marker=" + System.Uri.EscapeDataString(marker);
            }
            // A page that fails is fetched again from the same marker, so a long listing over a flaky link
            // does not start over (and, with a fault that recurs every few responses, never finish).
            var pageQuery = query;
            var page = await RequestRetry.ExecuteAsync($"list {prefix}", ct => new ValueTask<XDocument>(FetchListPageAsync(pageQuery, prefix, ct)), cancellationToken)
                .ConfigureAwait(false);
            var root = page.Root!;
            foreach (var blob in root.Element("Blobs")?.Elements("Blob") ?? [])
            {
                var name = (string?)blob.Element("Name") ?? "";
                var size = (long?)blob.Element("Properties")?.Element("Content-Length") ?? 0;
                if (name.StartsWith(_prefix, StringComparison.Ordinal))
                {
                    yield return new StorageObject(name[_prefix.Length..], size);
                }
            }
            marker = (string?)root.Element("NextMarker");
        }
        while (!string.IsNullOrEmpty(marker));
    }

    private async Task<XDocument> FetchListPageAsync(string query, string prefix, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ContainerUrl(query));
        using var response = await SendAsync("list", prefix, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync("list", prefix, response, cancellationToken).ConfigureAwait(false);
        return await _http.ReadBodyAsync("list", prefix, response, (body, ct) => XDocument.LoadAsync(body, LoadOptions.None, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Names the storage by its credential-free <see cref="Uri"/>.</summary>
    public override string ToString() => $"AzureBlobStorage({Uri})";

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    internal async Task PutBlobAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, BlobUrl(path)) { Content = new ReadOnlyMemoryContent(data) };
        request.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
        AddAccessTier(request);
        using var response = await SendAsync("write", path, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync("write", path, response, cancellationToken).ConfigureAwait(false);
    }

    internal async Task PutBlockAsync(string path, string blockId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var url = BlobUrl(path, "comp=block&blockid=" + System.Uri.EscapeDataString(blockId));
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ReadOnlyMemoryContent(data) };
        using var response = await SendAsync("write", path, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync("write", path, response, cancellationToken).ConfigureAwait(false);
    }

    internal async Task PutBlockListAsync(string path, IReadOnlyList<string> blockIds, CancellationToken cancellationToken)
    {
        var list = new XElement("BlockList");
        foreach (var id in blockIds)
        {
            list.Add(new XElement("Latest", id));
        }
        var body = new XDocument(new XDeclaration("1.0", "utf-8", null), list).Declaration + list.ToString(SaveOptions.DisableFormatting);
        using var request = new HttpRequestMessage(HttpMethod.Put, BlobUrl(path, "comp=blocklist"))
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/xml"),
        };
        AddAccessTier(request);
        using var response = await SendAsync("commit", path, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync("commit", path, response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Blob properties as the service reports them (for tests and diagnostics): null when the blob does not exist.</summary>
    internal async Task<HttpResponseMessage?> HeadAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, BlobUrl(path));
        var response = await SendAsync("exists", path, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            return null;
        }
        try
        {
            await EnsureSuccessAsync("exists", path, response, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>The access tier the service reports for a blob (x-ms-access-tier), or null.</summary>
    public async Task<string?> GetAccessTierAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        using var response = await HeadAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new StorageException($"Azure Blob exists of '{path}' failed: HTTP 404 BlobNotFound", false, StorageErrorKind.NotFound);
        return response.Headers.TryGetValues("x-ms-access-tier", out var values) ? values.FirstOrDefault() : null;
    }

    private async Task<long?> SizeOrNullAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await HeadAsync(path, cancellationToken).ConfigureAwait(false);
        return response?.Content.Headers.ContentLength ?? (response is null ? null : 0);
    }

    private async Task<long> SizeAsync(string path, CancellationToken cancellationToken) =>
        await SizeOrNullAsync(path, cancellationToken).ConfigureAwait(false)
        ?? throw new StorageException($"Azure Blob read of '{path}' failed: HTTP 404 BlobNotFound", false, StorageErrorKind.NotFound);

    /// <summary>GET of a byte range; null on 416 (range not satisfiable). Throws on every other failure.</summary>
    private async Task<HttpResponseMessage?> GetRangeAsync(string operation, string path, long offset, long? length, string? ifMatch, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BlobUrl(path));
        // A zero-length blob cannot satisfy any range, so a whole-object read goes without one.
        if (offset > 0 || length is not null)
        {
            var range = length is { } l
                ? $"bytes={offset.ToString(CultureInfo.InvariantCulture)}-{(offset + l - 1).ToString(CultureInfo.InvariantCulture)}"
                : $"bytes={offset.ToString(CultureInfo.InvariantCulture)}-";
            request.Headers.TryAddWithoutValidation("x-ms-range", range);
        }
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return await _http.GetRangeAsync(operation, path, request, HttpStatusCode.PreconditionFailed,
            $"Azure Blob {operation} of '{path}' failed: the blob changed while being read", cancellationToken).ConfigureAwait(false);
    }

    private static (long Start, long Count) BodyRange(HttpResponseMessage response, long requestedOffset, string path)
    {
        if (response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange is { From: { } from, To: { } to })
        {
            return (from, to - from + 1);
        }
        if (response.StatusCode == HttpStatusCode.OK && requestedOffset == 0)
        {
            return (0, response.Content.Headers.ContentLength ?? 0);
        }
        throw new StorageException($"Azure Blob read of '{path}' failed: the service answered {(int)response.StatusCode} without a usable Content-Range",
            isTransient: false, StorageErrorKind.ServerError);
    }

    private async Task CreateContainerAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, ContainerUrl("restype=container"));
        await _http.SendTolerantAsync("create of container", Options.Container, request, HttpStatusCode.Conflict, cancellationToken).ConfigureAwait(false);
    }

    private async Task CheckContainerAsync(CancellationToken cancellationToken)
    {
        // Listing one blob needs only the 'list' permission, which any SAS usable for backups has; Get Container
        // Properties would reject a container-scoped SAS.
        var query = "restype=container&comp=list&maxresults=1";
        if (_prefix.Length > 0)
        {
            query += "&prefix=" + System.Uri.EscapeDataString(_prefix);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, ContainerUrl(query));
        using var response = await SendAsync("open of container", Options.Container, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            var error = await AzureErrors.Mapper.FromResponseAsync("open of container", Options.Container, response, cancellationToken).ConfigureAwait(false);
            throw new StorageException($"Azure Blob container '{Options.Container}' does not exist ({error.Message})", false, StorageErrorKind.NotFound);
        }
        await EnsureSuccessAsync("open of container", Options.Container, response, cancellationToken).ConfigureAwait(false);
    }

    private Task<HttpResponseMessage> SendAsync(string operation, string target, HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken) =>
        _http.SendAsync(operation, target, request, completion, cancellationToken);

    private Task EnsureSuccessAsync(string operation, string target, HttpResponseMessage response, CancellationToken cancellationToken) =>
        _http.EnsureSuccessAsync(operation, target, response, cancellationToken);

    private ValueTask Authorize(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation("x-ms-date", DateTime.UtcNow.ToString("R", CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("x-ms-version", ApiVersion);
        _signer?.Sign(request);
        return ValueTask.CompletedTask;
    }

    private void AddAccessTier(HttpRequestMessage request)
    {
        if (!string.IsNullOrEmpty(Options.AccessTier))
        {
            request.Headers.TryAddWithoutValidation("x-ms-access-tier", Options.AccessTier);
        }
    }

    private Uri BlobUrl(string path, string? query = null) =>
        WithQuery(_containerUrl + "/" + ObjectPath.EscapeSegments(_prefix + path), query);

    private Uri ContainerUrl(string query) => WithQuery(_containerUrl, query);

    private Uri WithQuery(string url, string? query)
    {
        // The SAS goes last so that it never has to be parsed or echoed; it is a secret.
        if (_sas is not null)
        {
            query = string.IsNullOrEmpty(query) ? _sas : query + "&" + _sas;
        }
        return new Uri(string.IsNullOrEmpty(query) ? url : url + "?" + query, UriKind.Absolute);
    }

    private static string? AccountFromEndpoint(string? endpoint)
    {
        if (endpoint is null || !System.Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            return null;
        }
        // Emulators use path-style URLs (http://host:port/account); the service uses account.blob.core.windows.net.
        var firstSegment = uri.AbsolutePath.Trim('/').Split('/')[0];
        if (firstSegment.Length > 0)
        {
            return firstSegment;
        }
        var dot = uri.Host.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && !IPAddress.TryParse(uri.Host, out _) ? uri.Host[..dot] : null;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new StorageException("invalid Azure Blob options: " + message, isTransient: false, StorageErrorKind.InvalidArgument);
        }
    }
}
