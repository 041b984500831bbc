namespace Cairn.Storage;

/// <summary>
/// Where and how to reach a Google Cloud Storage bucket (<c>gcs://bucket/prefix</c> or <c>gs://…</c>).
/// With a custom <see cref="Endpoint"/> (an emulator) and no credentials the requests are unauthenticated;
/// otherwise tokens come from <see cref="CredentialsFile"/> or GOOGLE_APPLICATION_CREDENTIALS.
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
}
