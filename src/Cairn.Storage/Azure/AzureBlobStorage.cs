using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Cairn.Storage.Azure;

/// <summary>
/// Azure Blob storage through Azure.Storage.Blobs: block blobs in one container under an optional prefix, authorized
/// with the account key (Shared Key), a shared access signature or a connection string.
/// </summary>
/// <remarks>
/// Small objects are written with one Put Blob; larger ones are staged as blocks of <see cref="AzureBlobOptions.BlockSize"/>
/// and published with Put Block List, so an abandoned writer leaves only uncommitted blocks, which the service never
/// lists and discards after a week. Downloads are ranged GETs pinned to the blob's ETag that reconnect where they
/// broke off. The SDK's retries are off (MaxRetries 0): <see cref="RetryingStorage"/> and <see cref="RequestRetry"/>
/// own them, so that one policy decides everywhere.
/// </remarks>
public sealed class AzureBlobStorage : IExternalStorage
{
    /// <summary>The REST API version the client speaks (supported by Azure and by azurite 3.x).</summary>
    public const string ApiVersion = "2021-12-02";

    private const int MaxBlockSize = 1 << 30; // the service allows 4000 MiB; a writer holds one block in memory
    private const int MaxSinglePut = 256 * 1024 * 1024;

    private readonly BlobContainerClient _container;
    private readonly HttpClient? _transportClient;
    private readonly string _prefix;

    private AzureBlobStorage(AzureBlobOptions options, BlobContainerClient container, HttpClient? transportClient, string prefix, RetryPolicy requestRetry)
    {
        RequestRetry = requestRetry;
        Options = options;
        _container = container;
        _transportClient = transportClient;
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
    /// the storage) instead of the SDK's own connection pool.</summary>
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

        var transportClient = handler is null ? null : new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        BlobContainerClient container;
        try
        {
            container = CreateContainerClient(options, ClientOptions(options, transportClient));
        }
        catch
        {
            transportClient?.Dispose();
            throw;
        }
        var storage = new AzureBlobStorage(options, container, transportClient, prefix, requestRetry ?? RetryPolicy.None);
        return await BackendHelpers.CheckOpenedAsync(storage, async (s, ct) =>
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
        BackendHelpers.ValidateRead(path, offset, length);
        if (length == 0)
        {
            _ = await SizeAsync(path, cancellationToken).ConfigureAwait(false); // the blob must exist
            return EmptyStream();
        }

        var first = await DownloadAsync(path, offset, length, ifMatch: null, cancellationToken).ConfigureAwait(false);
        if (first is null)
        {
            // The range starts at or past the end: it reads as empty, as a file read there would; the blob must exist.
            _ = await SizeAsync(path, cancellationToken).ConfigureAwait(false);
            return EmptyStream();
        }
        var (body, start, count, etag) = first.Value;
        return new ResumingReadStream(body, start, count,
            async (from, remaining, ct) =>
            {
                var again = await DownloadAsync(path, from, remaining, etag, ct).ConfigureAwait(false)
                    ?? throw new StorageException($"Azure Blob read of '{path}' failed: the blob shrank while being read", false, StorageErrorKind.Other);
                if (again.Start != from)
                {
                    await again.Body.DisposeAsync().ConfigureAwait(false);
                    throw new StorageException($"Azure Blob read of '{path}' failed: asked for offset {from}, got {again.Start}", true, StorageErrorKind.ServerError);
                }
                return again.Body;
            },
            Options.ReadAttempts,
            Options.RequestTimeout,
            e => AzureErrors.Map(e, "read", path, CancellationToken.None)!);
    }

    /// <inheritdoc/>
    public async ValueTask<byte[]> ReadAllAsync(string path, CancellationToken cancellationToken = default) =>
        await BackendHelpers.ReadAllAsync(await OpenReadAsync(path, 0, null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask WriteAllAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        if (data.Length <= MaxSinglePut)
        {
            await PutBlobAsync(path, data, cancellationToken).ConfigureAwait(false);
            return;
        }
        await BackendHelpers.WriteAllAsync(new AzureBlobWriter(this, path, Options.BlockSize, Options.UploadConcurrency), data, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        return await PropertiesOrNullAsync(path, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        try
        {
            await Blob(path).DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions: null, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            // Already gone: deleting is idempotent.
        }
        catch (Exception e) when (AzureErrors.Map(e, "delete", path, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StorageObject> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var full = _prefix + ObjectPath.ListPrefix(prefix);
        string? marker = null;
        do
        {
            // A page that fails is fetched again from the same marker, so a long listing over a flaky link
            // does not start over (and, with a fault that recurs every few responses, never finish).
            var pageMarker = marker;
            var page = await RequestRetry.ExecuteAsync($"list {prefix}",
                ct => new ValueTask<Page<BlobItem>>(FetchListPageAsync(full, pageMarker, Options.ListPageSize, "list", prefix, ct)), cancellationToken).ConfigureAwait(false);
            foreach (var blob in page.Values)
            {
                if (blob.Name.StartsWith(_prefix, StringComparison.Ordinal))
                {
                    yield return new StorageObject(blob.Name[_prefix.Length..], blob.Properties.ContentLength ?? 0);
                }
            }
            marker = page.ContinuationToken;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    /// <summary>The access tier the service reports for a blob, or null.</summary>
    public async Task<string?> GetAccessTierAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        var properties = await PropertiesOrNullAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new StorageException($"Azure Blob exists of '{path}' failed: HTTP 404 BlobNotFound", false, StorageErrorKind.NotFound);
        return properties.AccessTier;
    }

    /// <summary>Names the storage by its credential-free <see cref="Uri"/>.</summary>
    public override string ToString() => $"AzureBlobStorage({Uri})";

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        // The SDK's own transport is shared by all its clients and lives as long as the process.
        _transportClient?.Dispose();
        return ValueTask.CompletedTask;
    }

    internal BlockBlobClient BlockBlob(string path) => _container.GetBlockBlobClient(_prefix + path);

    internal AccessTier? Tier => string.IsNullOrEmpty(Options.AccessTier) ? default(AccessTier?) : new AccessTier(Options.AccessTier);

    internal async Task PutBlobAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            using var content = BackendHelpers.AsStream(data);
            await BlockBlob(path).UploadAsync(content, new BlobUploadOptions { AccessTier = Tier }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (AzureErrors.Map(e, "write", path, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    internal async Task PutBlockAsync(string path, string blockId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            using var content = BackendHelpers.AsStream(data);
            await BlockBlob(path).StageBlockAsync(blockId, content, new BlockBlobStageBlockOptions(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (AzureErrors.Map(e, "write", path, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    internal async Task PutBlockListAsync(string path, IReadOnlyList<string> blockIds, CancellationToken cancellationToken)
    {
        try
        {
            await BlockBlob(path).CommitBlockListAsync(blockIds, new CommitBlockListOptions { AccessTier = Tier }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (AzureErrors.Map(e, "commit", path, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    private BlobClient Blob(string path) => _container.GetBlobClient(_prefix + path);

    private async Task<Page<BlobItem>> FetchListPageAsync(string namePrefix, string? marker, int pageSize, string operation, string target, CancellationToken cancellationToken)
    {
        try
        {
            var pages = _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, namePrefix.Length == 0 ? null : namePrefix, cancellationToken)
                .AsPages(marker, pageSize);
            await foreach (var page in pages.ConfigureAwait(false))
            {
                return page; // one page per call: the caller retries pages one by one
            }
            return Page<BlobItem>.FromValues([], null, null!);
        }
        catch (Exception e) when (AzureErrors.Map(e, operation, target, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    private async Task<BlobProperties?> PropertiesOrNullAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return (await Blob(path).GetPropertiesAsync(conditions: null, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception e) when (AzureErrors.Map(e, "exists", path, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    private async Task<long> SizeAsync(string path, CancellationToken cancellationToken) =>
        (await PropertiesOrNullAsync(path, cancellationToken).ConfigureAwait(false))?.ContentLength
        ?? throw new StorageException($"Azure Blob read of '{path}' failed: HTTP 404 BlobNotFound", false, StorageErrorKind.NotFound);

    /// <summary>
    /// Opens the body of a byte range; null when the range starts at or past the end. Throws on every other failure
    /// (412 when <paramref name="ifMatch"/> no longer matches: the blob was replaced while being read).
    /// </summary>
    private async Task<(Stream Body, long Start, long Count, ETag ETag)?> DownloadAsync(string path, long offset, long? length, ETag? ifMatch, CancellationToken cancellationToken)
    {
        var request = new BlobDownloadOptions
        {
            // A zero-length blob cannot satisfy any range, so a whole-object read goes without one.
            Range = offset > 0 || length is not null ? new HttpRange(offset, length) : default,
            Conditions = ifMatch is { } etag ? new BlobRequestConditions { IfMatch = etag } : null,
        };
        Response<BlobDownloadStreamingResult> response;
        try
        {
            using (SdkReconnectRefusal.OwnRequests())
            {
                response = await Blob(path).DownloadStreamingAsync(request, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return null;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.PreconditionFailed)
        {
            throw new StorageException($"Azure Blob read of '{path}' failed: the blob changed while being read", false, StorageErrorKind.Other);
        }
        catch (Exception e) when (AzureErrors.Map(e, "read", path, cancellationToken) is { } mapped)
        {
            throw mapped;
        }

        var details = response.Value.Details;
        var body = response.Value.Content;
        var count = details.ContentLength;
        if (count == 0 && offset > 0)
        {
            // azurite answers a range starting exactly at the end with an empty 206 ("bytes N-(N-1)/N") instead of 416.
            await body.DisposeAsync().ConfigureAwait(false);
            return null;
        }
        var start = RangeStart(details.ContentRange) ?? 0;
        return (body, start, count, details.ETag);
    }

    /// <summary>The first byte of a <c>Content-Range: bytes a-b/n</c> answer, or null without one.</summary>
    private static long? RangeStart(string? contentRange)
    {
        if (string.IsNullOrEmpty(contentRange))
        {
            return null;
        }
        var text = contentRange.AsSpan();
        var space = text.IndexOf(' ');
        var dash = text.IndexOf('-');
        return space >= 0 && dash > space && long.TryParse(text[(space + 1)..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : null;
    }

    private static MemoryStream EmptyStream() => new([], writable: false);

    private async Task CreateContainerAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _container.CreateIfNotExistsAsync(PublicAccessType.None, metadata: null, encryptionScopeOptions: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (AzureErrors.Map(e, "create of container", Options.Container, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    private async Task CheckContainerAsync(CancellationToken cancellationToken)
    {
        // Listing one blob needs only the 'list' permission, which any SAS usable for backups has; Get Container
        // Properties would reject a container-scoped SAS.
        try
        {
            _ = await FetchListPageAsync(_prefix, marker: null, pageSize: 1, "open of container", Options.Container, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            throw new StorageException($"Azure Blob container '{Options.Container}' does not exist ({e.Message})", false, StorageErrorKind.NotFound);
        }
    }

    private static BlobClientOptions ClientOptions(AzureBlobOptions options, HttpClient? transportClient)
    {
        var client = new BlobClientOptions(BlobClientOptions.ServiceVersion.V2021_12_02);
        // One retry policy for the whole storage layer: ours. The SDK sends each request once.
        client.Retry.MaxRetries = 0;
        // Azure.Core applies the network timeout to the wait for the answer and to every read of a response body.
        client.Retry.NetworkTimeout = options.RequestTimeout;
        // Backups carry their own checksums (backupmeta); Content-MD5/CRC64 on every block would only add CPU.
        client.TransferValidation.Upload.ChecksumAlgorithm = StorageChecksumAlgorithm.None;
        client.TransferValidation.Download.ChecksumAlgorithm = StorageChecksumAlgorithm.None;
        client.Diagnostics.IsLoggingContentEnabled = false;
        client.AddPolicy(new SdkReconnectRefusal(), HttpPipelinePosition.PerCall);
        client.AddPolicy(new HeadErrorWithoutBody(), HttpPipelinePosition.PerRetry);
        if (transportClient is not null)
        {
            client.Transport = new HttpClientTransport(transportClient);
        }
        return client;
    }

    private static BlobContainerClient CreateContainerClient(AzureBlobOptions options, BlobClientOptions clientOptions)
    {
        var accountKey = options.AccountKey;
        var sas = options.SasToken;
        var connectionString = options.ConnectionString;
        var account = options.AccountName;
        if (accountKey is null && sas is null && connectionString is null)
        {
            accountKey = NullIfEmpty(Environment.GetEnvironmentVariable("AZURE_STORAGE_KEY"));
            sas = NullIfEmpty(Environment.GetEnvironmentVariable("AZURE_STORAGE_SAS_TOKEN"));
            connectionString = accountKey is null && sas is null ? NullIfEmpty(Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING")) : null;
        }
        if (accountKey is null && sas is null && connectionString is not null)
        {
            try
            {
                return new BlobServiceClient(connectionString, clientOptions).GetBlobContainerClient(options.Container);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
            {
                // The message must not echo the connection string, which holds the key.
                throw new StorageException("invalid Azure Blob options: the connection string cannot be parsed", isTransient: false, StorageErrorKind.InvalidArgument);
            }
        }

        account ??= NullIfEmpty(Environment.GetEnvironmentVariable("AZURE_STORAGE_ACCOUNT")) ?? AccountFromEndpoint(options.Endpoint);
        Check(accountKey is not null || sas is not null,
            "no Azure credentials: give an account key, a SAS token or a connection string (or set AZURE_STORAGE_KEY / AZURE_STORAGE_SAS_TOKEN / AZURE_STORAGE_CONNECTION_STRING)");
        Check(options.Endpoint is not null || account is not null, "the Azure account name is needed when no endpoint is given");
        Check(accountKey is null || account is not null, "the Azure account name is needed for Shared Key authorization");

        var endpoint = (options.Endpoint ?? $"https://{account}.blob.core.windows.net").TrimEnd('/');
        Check(System.Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri) && endpointUri.Scheme is "http" or "https",
            "the Azure endpoint must be an absolute http or https URL");
        var containerUri = new Uri(endpoint + "/" + System.Uri.EscapeDataString(options.Container));
        if (accountKey is not null)
        {
            StorageSharedKeyCredential credential;
            try
            {
                credential = new StorageSharedKeyCredential(account!, accountKey);
            }
            catch (FormatException)
            {
                // The message must not echo the key.
                throw new StorageException("Azure account key is not valid base64", isTransient: false, StorageErrorKind.InvalidArgument);
            }
            return new BlobContainerClient(containerUri, credential, clientOptions);
        }
        // As a credential rather than in the URL, so that the client's Uri never carries the signature.
        return new BlobContainerClient(containerUri, new AzureSasCredential(sas!.TrimStart('?')), clientOptions);
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
