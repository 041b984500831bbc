using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Storage.v1.Data;
using Google.Cloud.Storage.V1;
using Object = Google.Apis.Storage.v1.Data.Object;

namespace Cairn.Storage.Gcs;

/// <summary>
/// Google Cloud Storage through Google.Cloud.Storage.V1: objects in one bucket under an optional prefix, authorized
/// with OAuth2 tokens from a service-account key or the application default credentials (or unauthenticated, for an
/// emulator).
/// </summary>
/// <remarks>
/// Objects up to <see cref="GcsOptions.ChunkSize"/> are uploaded from memory in one resumable session with a single
/// PUT; larger ones stream through a resumable session chunk by chunk, which publishes nothing until its last byte
/// arrives. Downloads are ranged and pinned to the object's generation, and reconnect where they broke off. The
/// SDK's retries are off (one try per request, <see cref="RetryOptions.Never"/>): <see cref="RetryingStorage"/>,
/// <see cref="RequestRetry"/> and the writer's session resumption own them.
/// </remarks>
public sealed class GcsStorage : IExternalStorage
{
    /// <summary>The OAuth2 scope requested for tokens.</summary>
    public const string Scope = "https://www.googleapis.com/auth/devstorage.read_write";

    private const int ChunkGranularity = 256 * 1024;
    private const string ContentType = "application/octet-stream";
    private const int DownloadPieceSize = 16 * 1024;

    private readonly StorageClient _client;
    private readonly string _prefix;

    private GcsStorage(GcsOptions options, StorageClient client, bool authenticated, PredefinedObjectAcl? acl, string prefix, RetryPolicy requestRetry)
    {
        RequestRetry = requestRetry;
        Options = options;
        _client = client;
        IsAuthenticated = authenticated;
        Acl = acl;
        _prefix = prefix;
        Uri = prefix.Length == 0 ? $"gcs://{options.Bucket}" : $"gcs://{options.Bucket}/{prefix.TrimEnd('/')}";
    }

    /// <inheritdoc/>
    public string Uri { get; }

    /// <summary>How a writer retries the upload of an object that fits in one chunk, and a listing each page.</summary>
    public RetryPolicy RequestRetry { get; }

    /// <summary>The options the storage was opened with.</summary>
    public GcsOptions Options { get; }

    /// <summary>Whether requests carry OAuth2 tokens.</summary>
    public bool IsAuthenticated { get; }

    internal StorageClient Client => _client;

    internal PredefinedObjectAcl? Acl { get; }

    /// <summary>Connects to the bucket and checks that it can be listed with the credentials in use.</summary>
    /// <exception cref="StorageException">The bucket is missing (<see cref="StorageErrorKind.NotFound"/>), the
    /// credentials are refused (<see cref="StorageErrorKind.AccessDenied"/>) or the options are invalid.</exception>
    public static Task<GcsStorage> OpenAsync(GcsOptions options, CancellationToken cancellationToken = default) =>
        OpenAsync(options, requestRetry: null, handler: null, cancellationToken);

    /// <summary>As <see cref="OpenAsync(GcsOptions, CancellationToken)"/>, with a retry policy for the requests inside one
    /// operation that can be repeated alone (the upload of a one-chunk object, listing pages; null means none: pass the
    /// policy of the <see cref="RetryingStorage"/> around it) and, optionally, a handler that carries the requests (not
    /// disposed by the storage) instead of the SDK's own connection pool.</summary>
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
        PredefinedObjectAcl? acl = null;
        if (!string.IsNullOrEmpty(options.PredefinedAcl))
        {
            Check(Enum.TryParse<PredefinedObjectAcl>(options.PredefinedAcl, ignoreCase: true, out var parsed), $"unknown predefined ACL '{options.PredefinedAcl}'");
            acl = parsed;
        }

        var credential = await LoadCredentialAsync(options, cancellationToken).ConfigureAwait(false);
        var builder = new StorageClientBuilder
        {
            // The JSON API lives under /storage/v1/; the SDK derives the /upload/ and /download/ paths from it.
            BaseUri = options.Endpoint is null ? null : endpoint + "/storage/v1/",
            UnauthenticatedAccess = credential is null,
            Credential = credential,
            HttpClientFactory = handler is null ? null : new GcsHttpClientFactory(handler),
        };
        StorageClient client;
        try
        {
            client = await builder.BuildAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new StorageException($"invalid GCS options: {e.Message}", isTransient: false, StorageErrorKind.InvalidArgument, e);
        }
        // One retry policy for the whole storage layer: ours. The SDK's message handler tries each request once
        // (which also keeps the resumable upload from resuming on its own), and calls pass RetryOptions.Never.
        client.Service.HttpClient.MessageHandler.NumTries = 1;
        client.Service.HttpClient.Timeout = options.RequestTimeout;

        var storage = new GcsStorage(options, client, credential is not null, acl, prefix, requestRetry ?? RetryPolicy.None);
        return await BackendHelpers.CheckOpenedAsync(storage, async (s, ct) =>
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
        return ValueTask.FromResult<IStorageWriter>(new GcsWriter(this, path, Options.ChunkSize, Options.ReadAttempts));
    }

    /// <inheritdoc/>
    public async ValueTask<Stream> OpenReadAsync(string path, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        BackendHelpers.ValidateRead(path, offset, length);
        // The metadata gives the size (the stream's Length, and whether the range is empty) and the generation, which
        // pins every request of this reader to one version of the object.
        var metadata = await MetadataOrNullAsync("read", path, cancellationToken).ConfigureAwait(false)
            ?? throw new StorageException($"GCS read of '{path}' failed: HTTP 404 notFound", false, StorageErrorKind.NotFound);
        var size = (long)(metadata.Size ?? 0);
        var end = length is { } l ? Math.Min(size, offset + l) : size;
        if (offset >= end)
        {
            // A range that starts at or past the end reads as empty, as a file read there would.
            return new MemoryStream([], writable: false);
        }
        var generation = metadata.Generation;
        return new ResumingReadStream(Download(path, offset, end, generation), offset, end - offset,
            (from, _, _) => Task.FromResult<Stream>(Download(path, from, end, generation)),
            Options.ReadAttempts,
            Options.RequestTimeout,
            e => GcsErrors.Map(e, "read", path, CancellationToken.None)!);
    }

    /// <inheritdoc/>
    public async ValueTask<byte[]> ReadAllAsync(string path, CancellationToken cancellationToken = default) =>
        await BackendHelpers.ReadAllAsync(await OpenReadAsync(path, 0, null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask WriteAllAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        await BackendHelpers.WriteAllAsync(new GcsWriter(this, path, Options.ChunkSize, Options.ReadAttempts), data, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        return await MetadataOrNullAsync("exists", path, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        StoragePath.Validate(path);
        try
        {
            await _client.DeleteObjectAsync(Options.Bucket, ObjectName(path), new DeleteObjectOptions { RetryOptions = RetryOptions.Never }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (GcsErrors.IsNotFound(e))
        {
            // Already gone: deleting is idempotent.
        }
        catch (Exception e) when (GcsErrors.Map(e, "delete", path, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StorageObject> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var full = _prefix + ObjectPath.ListPrefix(prefix);
        string? pageToken = null;
        do
        {
            // A page that fails is fetched again with the same token rather than starting the listing over.
            var token = pageToken;
            var page = await RequestRetry.ExecuteAsync($"list {prefix}",
                ct => new ValueTask<Objects>(FetchListPageAsync(full, token, Options.ListPageSize, "list", prefix, ct)), cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                if (item.Name.StartsWith(_prefix, StringComparison.Ordinal))
                {
                    yield return new StorageObject(item.Name[_prefix.Length..], (long)(item.Size ?? 0));
                }
            }
            pageToken = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(pageToken));
    }

    /// <summary>Names the storage by its credential-free <see cref="Uri"/>.</summary>
    public override string ToString() => $"GcsStorage({Uri})";

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    internal string ObjectName(string path) => _prefix + path;

    /// <summary>The metadata a new object is created with.</summary>
    internal Object NewObject(string path) => new()
    {
        Bucket = Options.Bucket,
        Name = ObjectName(path),
        ContentType = ContentType,
        StorageClass = string.IsNullOrEmpty(Options.StorageClass) ? null : Options.StorageClass,
    };

    internal UploadObjectOptions UploadOptions() => new()
    {
        ChunkSize = Options.ChunkSize,
        PredefinedAcl = Acl,
        // The SDK can check only uploads it reads from a seekable stream (one-chunk objects here); streamed uploads go
        // unchecked either way, and backups carry their own file checksums in backupmeta, so both are treated alike.
        UploadValidationMode = UploadValidationMode.None,
    };

    /// <summary>The size of a stored object (0 when it is gone), read back after a streamed upload.</summary>
    internal async Task<long> StoredSizeAsync(string path, CancellationToken cancellationToken) =>
        (long)((await MetadataOrNullAsync("write", path, cancellationToken).ConfigureAwait(false))?.Size ?? 0);

    private GcsDownloadStream Download(string path, long from, long end, long? generation) =>
        new((target, ct) => _client.DownloadObjectAsync(Options.Bucket, ObjectName(path), target, new DownloadObjectOptions
        {
            Range = new RangeHeaderValue(from, end - 1),
            // Pinning the generation makes a resumed read fail rather than splice in a newer version of the object.
            Generation = generation,
            // A ranged read cannot be checked against the whole object's hash; backupmeta has the file checksums.
            DownloadValidationMode = DownloadValidationMode.Never,
            // Not a request size: the SDK streams one GET and hands bytes on in pieces of this size, and a piece still
            // being filled when the connection breaks is lost. Small pieces keep what arrived before a break.
            ChunkSize = DownloadPieceSize,
        }, ct), path);

    private async Task<Object?> MetadataOrNullAsync(string operation, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetObjectAsync(Options.Bucket, ObjectName(path),
                new GetObjectOptions { RetryOptions = RetryOptions.Never, Projection = Projection.NoAcl }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (GcsErrors.IsNotFound(e))
        {
            return null;
        }
        catch (Exception e) when (GcsErrors.Map(e, operation, path, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    private async Task<Objects> FetchListPageAsync(string namePrefix, string? pageToken, int pageSize, string operation, string target, CancellationToken cancellationToken)
    {
        var options = new ListObjectsOptions
        {
            PageSize = pageSize,
            PageToken = pageToken,
            Fields = "items(name,size),nextPageToken",
            RetryOptions = RetryOptions.Never,
        };
        try
        {
            await foreach (var page in _client.ListObjectsAsync(Options.Bucket, namePrefix.Length == 0 ? null : namePrefix, options)
                .AsRawResponses().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                return page; // one page per call: the caller retries pages one by one
            }
            return new Objects();
        }
        catch (Exception e) when (GcsErrors.Map(e, operation, target, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    private async Task CheckBucketAsync(CancellationToken cancellationToken)
    {
        // Listing one object needs only storage.objects.list, which a backup's service account has anyway;
        // a bucket GET would need storage.buckets.get as well.
        try
        {
            _ = await FetchListPageAsync(_prefix, pageToken: null, pageSize: 1, "open of bucket", Options.Bucket, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            throw new StorageException($"GCS bucket '{Options.Bucket}' does not exist ({e.Message})", false, StorageErrorKind.NotFound);
        }
    }

    private static async Task<GoogleCredential?> LoadCredentialAsync(GcsOptions options, CancellationToken cancellationToken)
    {
        if (options.NoCredentials)
        {
            return null;
        }
        if (!string.IsNullOrEmpty(options.CredentialsJson))
        {
            try
            {
                var fromJson = CredentialFactory.FromJson<ServiceAccountCredential>(options.CredentialsJson);
                return GoogleCredential.FromServiceAccountCredential(fromJson).CreateScoped(Scope);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The message names the problem with the key's shape, never its content.
                throw new StorageException($"GCS credentials given in memory could not be read as a service-account key: {e.GetType().Name}", false, StorageErrorKind.InvalidArgument, e);
            }
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
                // Read as a service-account key only: a key file of another type (an external account, say) would
                // make the library run programs or fetch URLs that the file names.
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

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new StorageException("invalid GCS options: " + message, isTransient: false, StorageErrorKind.InvalidArgument);
        }
    }
}
