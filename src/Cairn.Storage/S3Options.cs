namespace Cairn.Storage;

/// <summary>
/// Where and how to reach an S3 bucket (<c>s3://bucket/prefix</c>). Produced by <see cref="StorageUrl.Parse"/>
/// from the URL, flags and environment, or built directly. <see cref="ToString"/> never shows secrets.
/// </summary>
public sealed record S3Options
{
    /// <summary>The smallest part S3 accepts for every part but the last.</summary>
    public const int MinPartSize = 5 * 1024 * 1024;

    /// <summary>Bucket name.</summary>
    public required string Bucket { get; init; }

    /// <summary>Key prefix, without leading or trailing '/'; objects live at <c>prefix/path</c>.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>Service endpoint with scheme and host (for example <c>http://127.0.0.1:7480</c>); null means AWS for <see cref="Region"/>.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Region used for signing and, without an endpoint, for picking the AWS endpoint.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Storage class of new objects (STANDARD, STANDARD_IA, GLACIER…); null leaves the bucket default.</summary>
    public string? StorageClass { get; init; }

    /// <summary>Server-side encryption: <c>AES256</c> or <c>aws:kms</c>.</summary>
    public string? Sse { get; init; }

    /// <summary>KMS key id used with <c>aws:kms</c>.</summary>
    public string? SseKmsKeyId { get; init; }

    /// <summary>Canned ACL of new objects (private, bucket-owner-full-control…).</summary>
    public string? Acl { get; init; }

    /// <summary>Who runs the service (aws, ceph, minio, alibaba, netease…); some need virtual-hosted addressing.</summary>
    public string? Provider { get; init; }

    /// <summary>Path-style addressing (<c>endpoint/bucket/key</c>) rather than virtual-hosted (<c>bucket.endpoint/key</c>).</summary>
    public bool ForcePathStyle { get; init; } = true;

    /// <summary>Use the S3 transfer-acceleration endpoint.</summary>
    public bool UseAccelerateEndpoint { get; init; }

    /// <summary>Access key id; with <see cref="SecretAccessKey"/>, or both null for anonymous access.</summary>
    public string? AccessKey { get; init; }

    /// <summary>Secret access key. Secret.</summary>
    public string? SecretAccessKey { get; init; }

    /// <summary>Session token of temporary credentials. Secret.</summary>
    public string? SessionToken { get; init; }

    /// <summary>Multipart part size in bytes; at least <see cref="MinPartSize"/>. Objects smaller than one part go up in one PutObject.</summary>
    public int PartSize { get; init; } = MinPartSize;

    /// <summary>Keys asked for per listing page (S3 caps it at 1000).</summary>
    public int ListPageSize { get; init; } = 1000;

    /// <summary>How often a reader reopens its connection after a failure without progress before giving up.</summary>
    public int MaxReadResumes { get; init; } = 5;

    /// <summary>Check at open that the bucket exists and is reachable with these credentials (BR's skip-check-path turns it off).</summary>
    public bool CheckBucketOnOpen { get; init; } = true;

    /// <summary>Timeout of one HTTP request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The storage's URL without credentials.</summary>
    public string Uri => Prefix.Length == 0 ? $"s3://{Bucket}" : $"s3://{Bucket}/{Prefix}";

    /// <summary>Throws a non-transient InvalidArgument <see cref="StorageException"/> when the options cannot work.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Bucket))
        {
            throw Invalid("s3: the bucket name is empty (use s3://bucket/prefix)");
        }

        if (Endpoint is not null && !StorageUrl.IsHttpEndpoint(Endpoint))
        {
            throw Invalid($"s3: endpoint \"{Redact.Url(Endpoint)}\" must include a scheme and a host, for example https://s3.example.com");
        }

        if (AccessKey is null != (SecretAccessKey is null))
        {
            throw Invalid("s3: access-key and secret-access-key must be given together (or neither)");
        }

        if (PartSize < MinPartSize)
        {
            throw Invalid($"s3: part size {PartSize} is below the S3 minimum of {MinPartSize} bytes");
        }

        if (ListPageSize is < 1 or > 1000)
        {
            throw Invalid($"s3: list page size {ListPageSize} must be between 1 and 1000");
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"S3Options {{ Bucket = {Bucket}, Prefix = {Prefix}, Endpoint = {Redact.Url(Endpoint)}, Region = {Region}, StorageClass = {StorageClass}, " +
        $"Sse = {Sse}, SseKmsKeyId = {SseKmsKeyId}, Acl = {Acl}, Provider = {Provider}, ForcePathStyle = {ForcePathStyle}, " +
        $"UseAccelerateEndpoint = {UseAccelerateEndpoint}, AccessKey = {Hide(AccessKey)}, SecretAccessKey = {Hide(SecretAccessKey)}, " +
        $"SessionToken = {Hide(SessionToken)}, PartSize = {PartSize}, ListPageSize = {ListPageSize} }}";

    private static string Hide(string? secret) => secret is null ? "null" : Redact.Placeholder;

    private static StorageException Invalid(string message) => new(message, isTransient: false, StorageErrorKind.InvalidArgument);
}
