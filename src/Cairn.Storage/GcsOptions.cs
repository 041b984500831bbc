namespace Cairn.Storage;

/// <summary>
/// Where and how to reach a Google Cloud Storage bucket (<c>gcs://bucket/prefix</c> or <c>gs://…</c>).
/// With a custom <see cref="Endpoint"/> (an emulator) and no <see cref="CredentialsFile"/> the requests are
/// unauthenticated; otherwise tokens come from <see cref="CredentialsFile"/>, GOOGLE_APPLICATION_CREDENTIALS or the
/// application default credentials.
/// </summary>
public sealed record GcsOptions
{
    /// <summary>Bucket name.</summary>
    public required string Bucket { get; init; }

    /// <summary>Prefix inside the bucket, without leading or trailing '/'.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>JSON API endpoint, for example <c>http://127.0.0.1:9199</c>; default <c>https://storage.googleapis.com</c>.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Storage class for new objects (STANDARD, NEARLINE…); null leaves the bucket default.</summary>
    public string? StorageClass { get; init; }

    /// <summary>Predefined ACL for new objects (private, projectPrivate…).</summary>
    public string? PredefinedAcl { get; init; }

    /// <summary>Path of a service-account JSON key file. The file's content is a secret and never logged.</summary>
    public string? CredentialsFile { get; init; }

    /// <summary>
    /// The content of a service-account JSON key, kept in memory only (a backup request's <c>credentials_blob</c>);
    /// used before <see cref="CredentialsFile"/>. Secret: never logged.
    /// </summary>
    public string? CredentialsJson { get; init; }

    /// <summary>Send no credentials at all, even when a key file or GOOGLE_APPLICATION_CREDENTIALS is available.</summary>
    public bool NoCredentials { get; init; }

    /// <summary>
    /// Size of each resumable-upload chunk, a multiple of 256 KiB; objects up to this size are uploaded from memory
    /// with one PUT. It is also the writer's memory bound (about three chunks). Default 8 MiB.
    /// </summary>
    public int ChunkSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>Largest number of objects asked for per list page (maxResults, 1–1000). Default 1000.</summary>
    public int ListPageSize { get; init; } = 1000;

    /// <summary>How many times in a row a download may reconnect without receiving a byte, and a chunk upload may be resumed. Default 3.</summary>
    public int ReadAttempts { get; init; } = 3;

    /// <summary>Timeout of each HTTP request. Default 5 minutes.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Check at open that the bucket exists and can be listed with the credentials in use. Default true.</summary>
    public bool CheckBucketOnOpen { get; init; } = true;

    /// <inheritdoc/>
    public override string ToString() =>
        $"GcsOptions {{ Bucket = {Bucket}, Prefix = {Prefix}, Endpoint = {Endpoint}, StorageClass = {StorageClass}, PredefinedAcl = {PredefinedAcl}, " +
        $"CredentialsFile = {CredentialsFile}, CredentialsJson = {(CredentialsJson is null ? "null" : Redact.Placeholder)}, NoCredentials = {NoCredentials}, " +
        $"ChunkSize = {ChunkSize}, ListPageSize = {ListPageSize}, ReadAttempts = {ReadAttempts}, RequestTimeout = {RequestTimeout}, CheckBucketOnOpen = {CheckBucketOnOpen} }}";
}
