namespace Cairn.Storage;

/// <summary>
/// A parsed storage URL, following BR's rules: a plain path (made absolute), <c>local://</c>, <c>file://</c>,
/// <c>noop://</c>, <c>s3://bucket/prefix</c>, <c>azure://</c> or <c>azblob://container/prefix</c>,
/// <c>gcs://</c> or <c>gs://bucket/prefix</c>. Options come from, in increasing priority, the environment,
/// the caller's settings (flags) and the URL's query string. <see cref="Uri"/> keeps no query and no secret.
/// </summary>
public sealed record StorageUrl
{
    private const string SupportedSchemes = "local://, file://, noop://, s3://, azure://, azblob://, gcs://, gs:// or a plain path";

    private static readonly string[] S3Keys =
    [
        "endpoint", "region", "storage-class", "sse", "sse-kms-key-id", "acl", "provider", "force-path-style",
        "use-accelerate-endpoint", "access-key", "secret-access-key", "session-token",
    ];

    private static readonly string[] AzureKeys = ["endpoint", "account-name", "account-key", "sas-token", "access-tier"];

    private static readonly string[] GcsKeys = ["endpoint", "storage-class", "predefined-acl", "credentials-file"];

    /// <summary>Which backend.</summary>
    public required StorageKind Kind { get; init; }

    /// <summary>The URL without query string or credentials; safe to print, log and store.</summary>
    public required string Uri { get; init; }

    /// <summary>The absolute folder, for <see cref="StorageKind.Local"/>.</summary>
    public string? LocalPath { get; init; }

    /// <summary>The S3 options, for <see cref="StorageKind.S3"/>.</summary>
    public S3Options? S3 { get; init; }

    /// <summary>The Azure Blob options, for <see cref="StorageKind.AzureBlob"/>.</summary>
    public AzureBlobOptions? Azure { get; init; }

    /// <summary>The GCS options, for <see cref="StorageKind.Gcs"/>.</summary>
    public GcsOptions? Gcs { get; init; }

    /// <summary>Where br's local backup server listens, for <see cref="StorageKind.Served"/>.</summary>
    public Served.ServedStorageOptions? Served { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Uri;

    /// <summary>
    /// Parses <paramref name="url"/>. Errors are non-transient <see cref="StorageException"/>s of kind
    /// <see cref="StorageErrorKind.InvalidArgument"/> whose messages never contain secrets.
    /// </summary>
    public static StorageUrl Parse(string url, StorageOpenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        options ??= StorageOpenOptions.Default;
        var env = options.EnvironmentVariables ?? Environment.GetEnvironmentVariable;
        if (string.IsNullOrWhiteSpace(url))
        {
            throw Invalid("the storage URL is empty; use " + SupportedSchemes);
        }

        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0 || !IsScheme(url.AsSpan(0, schemeEnd)))
        {
            RejectParentSegments(url, url);
            var full = Path.GetFullPath(url);
            return new StorageUrl { Kind = StorageKind.Local, Uri = "file://" + full, LocalPath = full };
        }

        // '+' would otherwise turn into a space when the query is decoded, and secrets (base64) contain it.
        var raw = url.Replace("+", "%2B", StringComparison.Ordinal);
        var scheme = raw[..schemeEnd].ToLowerInvariant();
        var rest = raw[(schemeEnd + 3)..];
        var fragment = rest.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0)
        {
            rest = rest[..fragment];
        }

        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        var query = queryStart >= 0 ? rest[(queryStart + 1)..] : "";
        var hostAndPath = queryStart >= 0 ? rest[..queryStart] : rest;
        var slash = hostAndPath.IndexOf('/', StringComparison.Ordinal);
        var shown = Redact.Url(url);
        var authority = slash >= 0 ? hostAndPath[..slash] : hostAndPath;
        if (authority.Contains('@', StringComparison.Ordinal))
        {
            // s3://KEY:SECRET@bucket would otherwise become a bucket named after the secret, printed in every error.
            throw Invalid($"storage URLs cannot carry credentials before the bucket or host ({shown}); give them as flags, query parameters or environment variables");
        }

        var host = Unescape(authority, url);
        var path = Unescape(slash >= 0 ? hostAndPath[slash..] : "", url);

        switch (scheme)
        {
            case "local":
            case "file":
            {
                RejectQuery(query, shown);
                var local = host + path;
                if (local.Length == 0)
                    {
                        throw Invalid($"{scheme}:// needs a path, as in {scheme}:///var/backups ({shown})");
                    }

                    RejectParentSegments(local, shown);
                var full = Path.GetFullPath(local);
                return new StorageUrl { Kind = StorageKind.Local, Uri = "file://" + full, LocalPath = full };
            }
            case "noop":
                RejectQuery(query, shown);
                return new StorageUrl { Kind = StorageKind.Noop, Uri = "noop://" };
            case "s3":
                return ForBucket(StorageKind.S3, host, TrimSlashes(path), Merge("s3", S3Keys, options, query, shown), options, shown);
            case "azure":
            case "azblob":
                return ForBucket(StorageKind.AzureBlob, host, TrimSlashes(path), Merge("azblob", AzureKeys, options, query, shown), options, shown);
            case "gcs":
            case "gs":
                return ForBucket(StorageKind.Gcs, host, TrimSlashes(path), Merge("gcs", GcsKeys, options, query, shown), options, shown);
            default:
                throw Invalid($"storage scheme \"{scheme}\" is not supported ({shown}); use " + SupportedSchemes);
        }
    }

    /// <summary>
    /// A bucket storage from its parts: <paramref name="settings"/> are keyed by the setting's name without the family
    /// (<c>endpoint</c>, <c>access-key</c>…); what they leave out comes from the environment as for a URL.
    /// </summary>
    internal static StorageUrl ForBucket(StorageKind kind, string bucket, string prefix, Dictionary<string, string> settings, StorageOpenOptions options, string shown)
    {
        var env = options.EnvironmentVariables ?? Environment.GetEnvironmentVariable;
        switch (kind)
        {
            case StorageKind.S3:
            {
                var s3 = BuildS3(bucket, prefix, settings, env, options, shown);
                return new StorageUrl { Kind = StorageKind.S3, Uri = s3.Uri, S3 = s3 };
            }
            case StorageKind.AzureBlob:
            {
                var azure = BuildAzure(bucket, prefix, settings, env, shown);
                return new StorageUrl { Kind = StorageKind.AzureBlob, Uri = azure.Prefix.Length == 0 ? $"azure://{azure.Container}" : $"azure://{azure.Container}/{azure.Prefix}", Azure = azure };
            }
            case StorageKind.Gcs:
            {
                var gcs = BuildGcs(bucket, prefix, settings, env, shown);
                return new StorageUrl { Kind = StorageKind.Gcs, Uri = gcs.Prefix.Length == 0 ? $"gcs://{gcs.Bucket}" : $"gcs://{gcs.Bucket}/{gcs.Prefix}", Gcs = gcs };
            }
            default:
                throw Invalid($"{kind} is not a bucket storage ({shown})");
        }
    }

    // A local base with ".." would be normalised to somewhere else than it reads, and "put base/sub/../../x" would
    // write outside the folder named; docs/storage.md promises ".." is refused.
    private static void RejectParentSegments(string path, string shown)
    {
        foreach (var segment in path.Split('/', '\\'))
        {
            if (segment == "..")
            {
                throw Invalid($"a local storage path must not contain '..' segments ({shown})");
            }
        }
    }

    /// <summary>Whether <paramref name="endpoint"/> is an absolute http(s) URL with a host.</summary>
    public static bool IsHttpEndpoint(string endpoint) =>
        System.Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
        && (uri.Scheme == System.Uri.UriSchemeHttp || uri.Scheme == System.Uri.UriSchemeHttps)
        && uri.Host.Length > 0;

    private static S3Options BuildS3(string bucket, string prefix, Dictionary<string, string> s, Func<string, string?> env, StorageOpenOptions options, string shown)
    {
        if (bucket.Length == 0)
        {
            throw Invalid($"s3:// needs a bucket, as in s3://bucket/prefix ({shown})");
        }

        var accessKey = s.GetValueOrDefault("access-key");
        var secretKey = s.GetValueOrDefault("secret-access-key");
        var sessionToken = s.GetValueOrDefault("session-token");
        if (accessKey is null != (secretKey is null))
        {
            throw Invalid($"s3: access-key and secret-access-key must be given together, or neither ({shown})");
        }

        if (accessKey is null)
        {
            var envAccess = NonEmpty(env("AWS_ACCESS_KEY_ID"));
            var envSecret = NonEmpty(env("AWS_SECRET_ACCESS_KEY"));
            if (envAccess is null != (envSecret is null))
            {
                throw Invalid("s3: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together, or neither");
            }

            accessKey = envAccess;
            secretKey = envSecret;
            sessionToken ??= envAccess is null ? null : NonEmpty(env("AWS_SESSION_TOKEN"));
        }

        var endpoint = s.GetValueOrDefault("endpoint");
        if (endpoint is not null && !IsHttpEndpoint(endpoint))
        {
            throw Invalid($"s3: endpoint \"{Redact.Url(endpoint)}\" must include a scheme and a host, for example https://s3.example.com ({shown})");
        }

        var provider = s.GetValueOrDefault("provider");
        var accelerate = Bool(s, "use-accelerate-endpoint", false, shown);
        var pathStyle = Bool(s, "force-path-style", true, shown);
        // Alibaba OSS and NetEase NOS only serve virtual-hosted requests; acceleration needs them too.
        if (accelerate || string.Equals(provider, "alibaba", StringComparison.OrdinalIgnoreCase) || string.Equals(provider, "netease", StringComparison.OrdinalIgnoreCase))
        {
            pathStyle = false;
        }

        var result = new S3Options
        {
            Bucket = bucket,
            Prefix = prefix,
            Endpoint = endpoint,
            Region = s.GetValueOrDefault("region") ?? NonEmpty(env("AWS_REGION")) ?? NonEmpty(env("AWS_DEFAULT_REGION")) ?? "us-east-1",
            StorageClass = s.GetValueOrDefault("storage-class"),
            Sse = s.GetValueOrDefault("sse"),
            SseKmsKeyId = s.GetValueOrDefault("sse-kms-key-id"),
            Acl = s.GetValueOrDefault("acl"),
            Provider = provider,
            ForcePathStyle = pathStyle,
            UseAccelerateEndpoint = accelerate,
            AccessKey = accessKey,
            SecretAccessKey = secretKey,
            SessionToken = sessionToken,
            CheckBucketOnOpen = options.CheckPath,
        };
        result.Validate();
        return result;
    }

    private static AzureBlobOptions BuildAzure(string container, string prefix, Dictionary<string, string> s, Func<string, string?> env, string shown)
    {
        if (container.Length == 0)
        {
            throw Invalid($"azure:// needs a container, as in azure://container/prefix ({shown})");
        }

        var endpoint = s.GetValueOrDefault("endpoint");
        if (endpoint is not null && !IsHttpEndpoint(endpoint))
        {
            throw Invalid($"azblob: endpoint \"{Redact.Url(endpoint)}\" must include a scheme and a host ({shown})");
        }

        var key = s.GetValueOrDefault("account-key");
        var sas = s.GetValueOrDefault("sas-token");
        if (key is null && sas is null)
        {
            key = NonEmpty(env("AZURE_STORAGE_KEY"));
            sas = NonEmpty(env("AZURE_STORAGE_SAS_TOKEN"));
        }
        return new AzureBlobOptions
        {
            Container = container,
            Prefix = prefix,
            Endpoint = endpoint,
            AccountName = s.GetValueOrDefault("account-name") ?? NonEmpty(env("AZURE_STORAGE_ACCOUNT")),
            AccountKey = key,
            SasToken = sas,
            AccessTier = s.GetValueOrDefault("access-tier"),
        };
    }

    private static GcsOptions BuildGcs(string bucket, string prefix, Dictionary<string, string> s, Func<string, string?> env, string shown)
    {
        if (bucket.Length == 0)
        {
            throw Invalid($"gcs:// needs a bucket, as in gcs://bucket/prefix ({shown})");
        }

        var endpoint = s.GetValueOrDefault("endpoint");
        if (endpoint is not null && !IsHttpEndpoint(endpoint))
        {
            throw Invalid($"gcs: endpoint \"{Redact.Url(endpoint)}\" must include a scheme and a host ({shown})");
        }
        // With a custom endpoint (an emulator) the backend runs unauthenticated unless a file is named explicitly.
        var credentials = s.GetValueOrDefault("credentials-file") ?? (endpoint is null ? NonEmpty(env("GOOGLE_APPLICATION_CREDENTIALS")) : null);
        return new GcsOptions
        {
            Bucket = bucket,
            Prefix = prefix,
            Endpoint = endpoint,
            StorageClass = s.GetValueOrDefault("storage-class"),
            PredefinedAcl = s.GetValueOrDefault("predefined-acl"),
            CredentialsFile = credentials,
        };
    }

    // Flags of this family first, then the query string on top. Keys: lower case, '_' → '-'.
    private static Dictionary<string, string> Merge(string family, string[] known, StorageOpenOptions options, string query, string shown)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var familyPrefix = family + ".";
        foreach (var (name, value) in options.Settings)
        {
            var key = NormalizeKey(name);
            if (!key.StartsWith(familyPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            key = key[familyPrefix.Length..];
            if (Array.IndexOf(known, key) < 0)
            {
                throw Invalid($"unknown setting \"{family}.{key}\"; known: {string.Join(", ", known.Select(k => family + "." + k))}");
            }

            if (NonEmpty(value) is { } v)
            {
                result[key] = v;
            }
        }
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = NormalizeKey(Unescape(eq >= 0 ? pair[..eq] : pair, shown));
            if (Array.IndexOf(known, key) < 0)
            {
                throw Invalid($"unknown query parameter \"{key}\" in {shown}; known: {string.Join(", ", known)}");
            }

            var value = eq >= 0 ? Unescape(pair[(eq + 1)..], shown) : "";
            if (value.Length > 0)
            {
                result[key] = value;
            }
        }
        return result;
    }

    private static bool Bool(Dictionary<string, string> s, string key, bool fallback, string shown)
    {
        if (!s.TryGetValue(key, out var text))
        {
            return fallback;
        }

        return text.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            _ => throw Invalid($"{key} must be true or false, not \"{text}\" ({shown})"),
        };
    }

    private static void RejectQuery(string query, string shown)
    {
        if (query.Length > 0)
        {
            throw Invalid($"this storage takes no query parameters ({shown})");
        }
    }

    private static string NormalizeKey(string key) => key.Trim().ToLowerInvariant().Replace('_', '-');

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string TrimSlashes(string path) => path.Trim('/');

    private static string Unescape(string text, string shown)
    {
        try
        {
            return System.Uri.UnescapeDataString(text);
        }
        catch (UriFormatException)
        {
            throw Invalid($"malformed escape sequence in {Redact.Url(shown)}");
        }
    }

    private static bool IsScheme(ReadOnlySpan<char> s)
    {
        if (s.Length == 0 || !char.IsAsciiLetter(s[0]))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }
        return true;
    }

    private static StorageException Invalid(string message) => new(message, isTransient: false, StorageErrorKind.InvalidArgument);
}
