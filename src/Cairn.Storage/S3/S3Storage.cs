using System.Net;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Storage.S3;

/// <summary>
/// An S3 bucket prefix through AWSSDK.S3. Objects live at <c>prefix/path</c>. Writers stream through
/// multipart uploads with at most two part buffers; readers are ranged GETs that resume from their offset
/// after a dropped connection. The SDK's own retries are off (MaxErrorRetry = 0): retry policy belongs to
/// <see cref="RetryingStorage"/> for whole operations, and to this backend (with the same policy, given at open)
/// for the requests inside one operation that can be repeated alone: part uploads, listing pages, reopenings.
/// </summary>
public sealed class S3Storage : IExternalStorage
{
    private readonly AmazonS3Client _client;
    private readonly S3Options _options;
    private readonly RetryPolicy _requestRetry;
    private readonly string _keyPrefix;

    private S3Storage(AmazonS3Client client, S3Options options, RetryPolicy requestRetry)
    {
        _client = client;
        _options = options;
        _requestRetry = requestRetry;
        _keyPrefix = options.Prefix.Length == 0 ? "" : options.Prefix + "/";
    }

    /// <summary>The options in force (secrets redacted by its <c>ToString</c>).</summary>
    public S3Options Options => _options;

    /// <inheritdoc/>
    public string Uri => _options.Uri;

    internal AmazonS3Client Client => _client;

    internal RetryPolicy RequestRetry => _requestRetry;

    /// <summary>
    /// Connects to the bucket and, unless <see cref="S3Options.CheckBucketOnOpen"/> is off, checks with a
    /// one-key listing that it exists and that the credentials may read it. Failures name the bucket and
    /// the cause (missing bucket, access denied, wrong credentials, unreachable endpoint).
    /// </summary>
    /// <param name="options">Where and how.</param>
    /// <param name="requestRetry">Retry policy of the requests inside one operation (multipart part uploads, listing pages,
    /// reader reopenings); null means none. Pass the same policy as the <see cref="RetryingStorage"/> around it.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public static async ValueTask<S3Storage> OpenAsync(S3Options options, RetryPolicy? requestRetry = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            UseAccelerateEndpoint = options.UseAccelerateEndpoint,
            MaxErrorRetry = 0,
            Timeout = options.RequestTimeout,
            // SDK 4.x sends CRC32 flexible checksums by default as aws-chunked bodies with trailers
            // (STREAMING-UNSIGNED-PAYLOAD-TRAILER). Ceph radosgw 16 (Debian 12) refuses those with 400
            // XAmzContentSHA256Mismatch, as do other S3-compatible servers of that age, so checksums are sent and
            // validated only where an operation requires them, as the 3.x SDK did. Parts are still signed (SigV4).
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.Endpoint is not null)
        {
            config.ServiceURL = options.Endpoint;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        var storage = new S3Storage(new AmazonS3Client(Credentials(options), config), options, requestRetry ?? RetryPolicy.None);
        if (options.CheckBucketOnOpen)
        {
            try
            {
                await storage.CheckBucketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await storage.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        return storage;
    }

    /// <inheritdoc/>
    public ValueTask<IStorageWriter> CreateAsync(string path, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IStorageWriter>(new S3StorageWriter(this, Key(path), path));

    /// <inheritdoc/>
    public async ValueTask<Stream> OpenReadAsync(string path, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }

        var key = Key(path);
        if (length == 0)
        {
            // A zero-length range cannot be expressed in HTTP; still report a missing object.
            if (!await ExistsAsync(path, cancellationToken).ConfigureAwait(false))
            {
                throw new StorageException($"open {Describe(path)}: not found", isTransient: false, StorageErrorKind.NotFound);
            }

            return Stream.Null;
        }
        return await S3ReadStream.OpenAsync(this, key, Describe(path), offset, length is { } l ? offset + l : null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<byte[]> ReadAllAsync(string path, CancellationToken cancellationToken = default)
    {
        var stream = await OpenReadAsync(path, 0, null, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (stream.Length > Array.MaxLength)
            {
                throw new StorageException($"read {Describe(path)}: {stream.Length} bytes is too large to read whole; open a reader instead", isTransient: false, StorageErrorKind.InvalidArgument);
            }

            var result = new byte[stream.Length];
            await stream.ReadExactlyAsync(result, cancellationToken).ConfigureAwait(false);
            return result;
        }
    }

    /// <inheritdoc/>
    public async ValueTask WriteAllAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var writer = await CreateAsync(path, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        var key = Key(path);
        try
        {
            await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _options.Bucket, Key = key }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return false;
        }
        catch (Exception e) when (Map(e, $"exists {Describe(path)}", cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        var key = Key(path);
        try
        {
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _options.Bucket, Key = key }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
        }
        catch (Exception e) when (Map(e, $"delete {Describe(path)}", cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StorageObject> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var directory = StoragePath.NormalizeDirectory(prefix);
        var request = new ListObjectsV2Request
        {
            BucketName = _options.Bucket,
            Prefix = directory.Length == 0 ? _keyPrefix : _keyPrefix + directory + "/",
            MaxKeys = _options.ListPageSize,
        };
        while (true)
        {
            // A page is retried on its own (its continuation token makes that safe): restarting a long listing
            // for every transient failure could fail forever under a steady error rate.
            var page = await _requestRetry.ExecuteAsync($"list {Describe(directory)}", async ct =>
            {
                try
                {
                    return await _client.ListObjectsV2Async(request, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (Map(e, $"list {Describe(directory)}", ct) is { } mapped)
                {
                    throw mapped;
                }
            }, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                if (!item.Key.StartsWith(_keyPrefix, StringComparison.Ordinal) || item.Key.Length == _keyPrefix.Length)
                {
                    continue;
                }

                yield return new StorageObject(item.Key[_keyPrefix.Length..], item.Size ?? 0);
            }
            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override string ToString() => $"S3Storage({_options})";

    internal string Key(string path)
    {
        StoragePath.Validate(path);
        return _keyPrefix + path;
    }

    internal string Describe(string path) => path.Length == 0 ? Uri : StoragePath.Join(Uri, path);

    internal StorageException? Map(Exception exception, string operation, CancellationToken cancellationToken) =>
        S3Errors.Map(exception, operation, cancellationToken, _options.SecretAccessKey, _options.SessionToken);

    private async Task CheckBucketAsync(CancellationToken cancellationToken)
    {
        var where = _options.Endpoint is null ? $"region {_options.Region}" : Redact.Url(_options.Endpoint);
        try
        {
            await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = _keyPrefix, MaxKeys = 1 }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Map(e, $"s3: cannot open bucket \"{_options.Bucket}\" at {where}", cancellationToken) is { } mapped)
        {
            var cause = mapped.Kind switch
            {
                StorageErrorKind.NotFound => "no such bucket",
                StorageErrorKind.AccessDenied when mapped.Message.Contains("credentials are wrong", StringComparison.Ordinal) => "wrong credentials",
                StorageErrorKind.AccessDenied => "access denied",
                StorageErrorKind.Network => "endpoint unreachable",
                _ => null,
            };
            throw cause is null ? mapped : new StorageException($"{mapped.Message} [{cause}]", mapped.IsTransient, mapped.Kind, mapped.InnerException);
        }
    }

    private static AWSCredentials Credentials(S3Options options)
    {
        if (options.AccessKey is not null && options.SecretAccessKey is not null)
        {
            return options.SessionToken is null
                ? new BasicAWSCredentials(options.AccessKey, options.SecretAccessKey)
                : new SessionAWSCredentials(options.AccessKey, options.SecretAccessKey, options.SessionToken);
        }
        return S3SharedCredentials.Find() ?? new AnonymousAWSCredentials();
    }
}
