using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Cairn.Storage.Http;
using Google.Apis.Auth.OAuth2;

namespace Cairn.Storage.Gcs;

/// <summary>
/// Google Cloud Storage over the JSON API: objects in one bucket under an optional prefix, authorized with OAuth2
/// tokens from a service-account key (or unauthenticated, for an emulator).
/// </summary>
/// <remarks>
/// Objects up to <see cref="GcsOptions.ChunkSize"/> are written with one multipart upload; larger ones through a
/// resumable upload session (see <see cref="GcsUploadMode"/>), which publishes nothing until its last byte arrives.
/// Downloads are ranged <c>alt=media</c> GETs pinned to the object's generation that reconnect where they broke off.
/// </remarks>
public sealed class GcsStorage : IExternalStorage
{
    /// <summary>The OAuth2 scope requested for tokens.</summary>
    public const string Scope = "https://www.googleapis.com/auth/devstorage.read_write";

    private const int ChunkGranularity = 256 * 1024;
    private const int MaxSingleUpload = 64 * 1024 * 1024;

    private readonly HttpTransport _http;
    private readonly ITokenAccess? _credential;
    private readonly string _endpoint;
    private readonly string _bucketPath;
    private readonly string _prefix;

    private GcsStorage(GcsOptions options, HttpMessageHandler? handler, ITokenAccess? credential, string endpoint, string prefix, GcsUploadMode uploadMode, RetryPolicy requestRetry)
    {
        RequestRetry = requestRetry;
        Options = options;
        _http = new HttpTransport(handler, options.RequestTimeout, AuthorizeAsync, GcsErrors.Mapper);
        _credential = credential;
        _endpoint = endpoint;
        _bucketPath = "/b/" + System.Uri.EscapeDataString(options.Bucket);
        _prefix = prefix;
        UploadMode = uploadMode;
        Uri = prefix.Length == 0 ? $"gcs://{options.Bucket}" : $"gcs://{options.Bucket}/{prefix.TrimEnd('/')}";
    }

    /// <inheritdoc/>
    public string Uri { get; }

    /// <summary>How a writer retries its single-shot requests (multipart upload, session start) and a listing each page.</summary>
    public RetryPolicy RequestRetry { get; }

    /// <summary>The options the storage was opened with.</summary>
    public GcsOptions Options { get; }

    /// <summary>The upload mode in effect (<see cref="GcsUploadMode.Auto"/> resolved).</summary>
    public GcsUploadMode UploadMode { get; }

    /// <summary>Whether requests carry OAuth2 tokens.</summary>
    public bool IsAuthenticated => _credential is not null;

    /// <summary>Connects to the bucket and checks that it can be listed with the credentials in use.</summary>
    /// <exception cref="StorageException">The bucket is missing (<see cref="StorageErrorKind.NotFound"/>), the
    /// credentials are refused (<see cref="StorageErrorKind.AccessDenied"/>) or the options are invalid.</exception>
    public static Task<GcsStorage> OpenAsync(GcsOptions options, CancellationToken cancellationToken = default) =>
        OpenAsync(options, requestRetry: null, handler: null, cancellationToken);

    /// <summary>As <see cref="OpenAsync(GcsOptions, CancellationToken)"/>, with a retry policy for the requests inside one
    /// operation that can be repeated alone (multipart upload, session start, listing pages; null means none: pass the
    /// policy of the <see cref="RetryingStorage"/> around it) and, optionally, a handler that carries the requests (not
    /// disposed by the storage) instead of the storage's own connection pool.</summary>
    public static async Task<GcsStorage> OpenAsync(GcsOptions options, RetryPolicy? requestRetry, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Check(!string.IsNullOrEmpty(options.Bucket), "the bucket name is empty");
        Check(options.ChunkSize >= ChunkGranularity && options.ChunkSize % ChunkGranularity == 0, "ChunkSize must be a positive multiple of 256 KiB");
        Check(options.ListPageSize is > 0 and <= 1000, "ListPageSize must be between 1 and 1000");
        Check(options.ReadAttempts >= 0, "ReadAttempts must not be negative");
        Check(options.RequestTimeout > TimeSpan.Zero, "RequestTimeout must be positive");
        var prefix = ObjectPath.NormalizePrefix(options.Prefix);
        var endpoint = (options.Endpoint ?? "https://storage.googleapis.com").TrimEnd('/');
        Check(System.Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri) && endpointUri.Scheme is "http" or "https",
            "the GCS endpoint must be an absolute http or https URL");

        var credential = await LoadCredentialAsync(options, cancellationToken).ConfigureAwait(false);
        var mode = options.UploadMode switch
        {
            GcsUploadMode.Auto => options.Endpoint is not null && credential is null ? GcsUploadMode.SingleRequest : GcsUploadMode.Chunked,
            var explicitMode => explicitMode,
        };
        var storage = new GcsStorage(options, handler, credential, endpoint, prefix, mode, requestRetry ?? RetryPolicy.None);
        return await HttpObjects.CheckOpenedAsync(storage, async (s, ct) =>
        {
            if (options.CheckBucketOnOpen)
            {
                await s.CheckBucketAsync(ct).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<IStorageWriter> CreateAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        return ValueTask.FromResult<IStorageWriter>(new GcsWriter(this, path, Options.ChunkSize, UploadMode, Options.ReadAttempts));
    }

    /// <inheritdoc/>
    public async ValueTask<Stream> OpenReadAsync(string path, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        HttpObjects.ValidateRead(path, offset, length);
        if (length == 0)
        {
            _ = await SizeAsync(path, cancellationToken).ConfigureAwait(false);
            return EmptyStream();
        }

        var response = await GetMediaAsync(path, offset, length, generation: null, cancellationToken).ConfigureAwait(false);
        try
        {
            long start, count;
            if (response is null)
            {
                // 416: the range starts at or past the end.
                _ = await SizeAsync(path, cancellationToken).ConfigureAwait(false); // the object must exist
                return EmptyStream();
            }
            if (response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange is { From: { } from, To: { } to })
            {
                (start, count) = (from, to - from + 1);
            }
            else if (response.StatusCode == HttpStatusCode.OK)
            {
                // The whole object came back: either no range was asked for, or the server ignored an unsatisfiable
                // one (the firebase emulator does that instead of answering 416).
                var total = response.Content.Headers.ContentLength
                    ?? throw new StorageException($"GCS read of '{path}' failed: no Content-Length", false, StorageErrorKind.ServerError);
                if (offset >= total)
                {
                    response.Dispose();
                    return EmptyStream();
                }
                if (offset > 0 || length is not null)
                {
                    response.Dispose();
                    throw new StorageException($"GCS read of '{path}' failed: the server ignored the requested range", false, StorageErrorKind.ServerError);
                }
                (start, count) = (0, total);
            }
            else
            {
                throw new StorageException($"GCS read of '{path}' failed: unexpected HTTP {(int)response.StatusCode}", false, StorageErrorKind.ServerError);
            }

            var generation = response.Headers.TryGetValues("x-goog-generation", out var values) ? values.FirstOrDefault() : null;
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new ResumingReadStream(body, start, count,
                async (from, remaining, ct) =>
                {
                    var again = await GetMediaAsync(path, from, remaining, generation, ct).ConfigureAwait(false)
                        ?? throw new StorageException($"GCS read of '{path}' failed: the object shrank while being read", false, StorageErrorKind.Other);
                    if (again.StatusCode != HttpStatusCode.PartialContent || again.Content.Headers.ContentRange?.From != from)
                    {
                        again.Dispose();
                        throw new StorageException($"GCS read of '{path}' failed: asked for offset {from}, the server answered otherwise", true, StorageErrorKind.ServerError);
                    }
                    return await again.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                },
                Options.ReadAttempts,
                Options.RequestTimeout,
                e => GcsErrors.Mapper.FromException("read", path, e, CancellationToken.None));
        }
        catch
        {
            response?.Dispose();
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
        if (data.Length <= MaxSingleUpload)
        {
            await UploadMultipartAsync(path, data, cancellationToken).ConfigureAwait(false);
            return;
        }
        await HttpObjects.WriteAllAsync(new GcsWriter(this, path, Options.ChunkSize, UploadMode, Options.ReadAttempts), data, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        return await SizeOrNullAsync("exists", path, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        using var request = new HttpRequestMessage(HttpMethod.Delete, ObjectUrl(path, null));
        await _http.SendTolerantAsync("delete", path, request, HttpStatusCode.NotFound, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StorageObject> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var full = _prefix + ObjectPath.ListPrefix(prefix);
        string? pageToken = null;
        do
        {
            var query = new StringBuilder("maxResults=").Append(Options.ListPageSize.ToString(CultureInfo.InvariantCulture))
                .Append("&fields=").Append(System.Uri.EscapeDataString("items(name,size),nextPageToken"));
            if (full.Length > 0)
            {
                query.Append("&prefix=").Append(System.Uri.EscapeDataString(full));
            }
            if (pageToken is not null)
            {
                query.Append("&pageToken=").Append(System.Uri.EscapeDataString(pageToken));
            }
            // A page that fails is fetched again with the same token rather than starting the listing over.
            var pageQuery = query.ToString();
            (var page, pageToken) = await RequestRetry.ExecuteAsync($"list {prefix}",
                ct => new ValueTask<(List<StorageObject>, string?)>(FetchListPageAsync(pageQuery, prefix, ct)), cancellationToken).ConfigureAwait(false);
            foreach (var item in page)
            {
                yield return item;
            }
        }
        while (!string.IsNullOrEmpty(pageToken));
    }

    private async Task<(List<StorageObject> Page, string? NextPageToken)> FetchListPageAsync(string query, string prefix, CancellationToken cancellationToken)
    {
        var page = new List<StorageObject>();
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("/storage/v1" + _bucketPath + "/o", query));
        using var response = await SendAsync("list", prefix, request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync("list", prefix, response, cancellationToken).ConfigureAwait(false);
        var document = await _http.ReadBodyAsync("list", prefix, response, (body, ct) => JsonDocument.ParseAsync(body, default, ct), cancellationToken).ConfigureAwait(false);
        using (document)
        {
            var root = document.RootElement;
            if (root.TryGetProperty("items", out var items))
            {
                foreach (var item in items.EnumerateArray())
                {
                    var name = item.GetProperty("name").GetString() ?? "";
                    if (name.StartsWith(_prefix, StringComparison.Ordinal))
                    {
                        page.Add(new StorageObject(name[_prefix.Length..], ParseSize(item)));
                    }
                }
            }
            return (page, root.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null);
        }
    }

    /// <summary>Names the storage by its credential-free <see cref="Uri"/>.</summary>
    public override string ToString() => $"GcsStorage({Uri})";

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The object's metadata as the service reports it (for tests and diagnostics), or null when it does not exist.</summary>
    public async Task<JsonDocument?> GetMetadataAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        using var request = new HttpRequestMessage(HttpMethod.Get, ObjectUrl(path, null));
        using var response = await SendAsync("metadata", path, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        await EnsureSuccessAsync("metadata", path, response, cancellationToken).ConfigureAwait(false);
        return JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
    }

    internal string ObjectName(string path) => _prefix + path;

    internal async Task UploadMultipartAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var metadata = new StringContent(MetadataJson(path), Encoding.UTF8, "application/json");
        var media = new ReadOnlyMemoryContent(data);
        media.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var content = new MultipartContent("related", "cairn-" + Guid.NewGuid().ToString("N")) { metadata, media };
        using var request = new HttpRequestMessage(HttpMethod.Post, Url("/upload/storage/v1" + _bucketPath + "/o", UploadQuery("multipart"))) { Content = content };
        using var response = await SendAsync("write", path, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync("write", path, response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a resumable upload session and returns its URL (a secret-free capability URL: treat it as private).</summary>
    internal async Task<Uri> StartResumableAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url("/upload/storage/v1" + _bucketPath + "/o", UploadQuery("resumable") + "&name=" + System.Uri.EscapeDataString(ObjectName(path))))
        {
            Content = new StringContent(MetadataJson(path), Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("X-Upload-Content-Type", "application/octet-stream");
        using var response = await SendAsync("write", path, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync("write", path, response, cancellationToken).ConfigureAwait(false);
        var location = response.Headers.Location
            ?? throw new StorageException($"GCS write of '{path}' failed: the service started no upload session (no Location)", true, StorageErrorKind.ServerError);
        return location.IsAbsoluteUri ? location : new Uri(new Uri(_endpoint), location);
    }

    // unbounded: the streaming upload lasts as long as its writer is fed, so it alone runs without the request timeout.
    internal Task<HttpResponseMessage> SendAsync(string operation, string target, HttpRequestMessage request, HttpCompletionOption completion,
        CancellationToken cancellationToken, bool unbounded = false) =>
        _http.SendAsync(operation, target, request, completion, cancellationToken, unbounded);

    internal Task EnsureSuccessAsync(string operation, string target, HttpResponseMessage response, CancellationToken cancellationToken) =>
        _http.EnsureSuccessAsync(operation, target, response, cancellationToken);

    private async ValueTask AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_credential is null)
        {
            return;
        }
        string token;
        try
        {
            token = await _credential.GetAccessTokenForRequestAsync(_endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw TokenFailure(e);
        }
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    internal static long ParseSize(JsonElement item) =>
        item.TryGetProperty("size", out var size)
            ? size.ValueKind == JsonValueKind.String ? long.Parse(size.GetString()!, CultureInfo.InvariantCulture) : size.GetInt64()
            : 0;

    private Uri ObjectUrl(string path, string? query) =>
        Url("/storage/v1" + _bucketPath + "/o/" + System.Uri.EscapeDataString(ObjectName(path)), query);

    private Uri Url(string path, string? query) => new(_endpoint + path + (string.IsNullOrEmpty(query) ? "" : "?" + query), UriKind.Absolute);

    private string UploadQuery(string uploadType)
    {
        var query = "uploadType=" + uploadType;
        if (!string.IsNullOrEmpty(Options.PredefinedAcl))
        {
            query += "&predefinedAcl=" + System.Uri.EscapeDataString(Options.PredefinedAcl);
        }
        return query;
    }

    private string MetadataJson(string path)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("name", ObjectName(path));
            json.WriteString("contentType", "application/octet-stream");
            if (!string.IsNullOrEmpty(Options.StorageClass))
            {
                json.WriteString("storageClass", Options.StorageClass);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private async Task<long?> SizeOrNullAsync(string operation, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ObjectUrl(path, "fields=size"));
        using var response = await SendAsync(operation, path, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        await EnsureSuccessAsync(operation, path, response, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
        return ParseSize(document.RootElement);
    }

    private async Task<long> SizeAsync(string path, CancellationToken cancellationToken) =>
        await SizeOrNullAsync("read", path, cancellationToken).ConfigureAwait(false)
        ?? throw new StorageException($"GCS read of '{path}' failed: HTTP 404 notFound", false, StorageErrorKind.NotFound);

    // A range that starts at or past the end reads as empty, as a file read there would.
    private static MemoryStream EmptyStream() => new([], writable: false);

    /// <summary>GET of object media over a byte range; null on 416. Throws on other failures.</summary>
    private async Task<HttpResponseMessage?> GetMediaAsync(string path, long offset, long? length, string? generation, CancellationToken cancellationToken)
    {
        // Pinning the generation makes a resumed read fail rather than splice in a newer version of the object.
        var query = generation is null ? "alt=media" : "alt=media&generation=" + System.Uri.EscapeDataString(generation);
        using var request = new HttpRequestMessage(HttpMethod.Get, ObjectUrl(path, query));
        if (offset > 0 || length is not null)
        {
            request.Headers.Range = new RangeHeaderValue(offset, length is { } l ? offset + l - 1 : null);
        }
        return await _http.GetRangeAsync("read", path, request, generation is null ? null : HttpStatusCode.NotFound,
            $"GCS read of '{path}' failed: the object changed while being read", cancellationToken).ConfigureAwait(false);
    }

    private async Task CheckBucketAsync(CancellationToken cancellationToken)
    {
        // Listing one object needs only storage.objects.list, which a backup's service account has anyway;
        // a bucket GET would need storage.buckets.get as well.
        var query = "maxResults=1&fields=" + System.Uri.EscapeDataString("items(name)");
        if (_prefix.Length > 0)
        {
            query += "&prefix=" + System.Uri.EscapeDataString(_prefix);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("/storage/v1" + _bucketPath + "/o", query));
        using var response = await SendAsync("open of bucket", Options.Bucket, request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            var error = await GcsErrors.Mapper.FromResponseAsync("open of bucket", Options.Bucket, response, cancellationToken).ConfigureAwait(false);
            throw new StorageException($"GCS bucket '{Options.Bucket}' does not exist ({error.Message})", false, StorageErrorKind.NotFound);
        }
        await EnsureSuccessAsync("open of bucket", Options.Bucket, response, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ITokenAccess?> LoadCredentialAsync(GcsOptions options, CancellationToken cancellationToken)
    {
        if (options.NoCredentials)
        {
            return null;
        }
        var file = options.CredentialsFile;
        if (string.IsNullOrEmpty(file))
        {
            if (options.Endpoint is not null)
            {
                return null; // a custom endpoint (an emulator) without an explicit key file: unauthenticated
            }
            file = Environment.GetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS");
        }
        try
        {
            if (!string.IsNullOrEmpty(file))
            {
                if (!File.Exists(file))
                {
                    throw new StorageException($"GCS credentials file '{file}' does not exist", false, StorageErrorKind.InvalidArgument);
                }
                var account = await CredentialFactory.FromFileAsync<ServiceAccountCredential>(file, cancellationToken).ConfigureAwait(false);
                return GoogleCredential.FromServiceAccountCredential(account).CreateScoped(Scope);
            }
            return (await GoogleCredential.GetApplicationDefaultAsync(cancellationToken).ConfigureAwait(false)).CreateScoped(Scope);
        }
        catch (Exception e) when (e is not StorageException and not OperationCanceledException)
        {
            // The library's messages describe the file's shape, never its key material.
            // A key file that cannot be used is a configuration mistake; missing default credentials are a denial.
            throw new StorageException($"GCS credentials could not be loaded{(string.IsNullOrEmpty(file) ? "" : $" from '{file}'")}: {e.GetType().Name}: {e.Message}",
                false, string.IsNullOrEmpty(file) ? StorageErrorKind.AccessDenied : StorageErrorKind.InvalidArgument, e);
        }
    }

    private static StorageException TokenFailure(Exception e)
    {
        var transient = e is HttpRequestException or IOException or OperationCanceledException;
        return new StorageException($"GCS could not obtain an access token: {e.GetType().Name}: {e.Message}",
            transient, transient ? StorageErrorKind.Network : StorageErrorKind.AccessDenied, e);
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new StorageException("invalid GCS options: " + message, isTransient: false, StorageErrorKind.InvalidArgument);
        }
    }
}
