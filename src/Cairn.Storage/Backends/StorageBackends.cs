using Cairn.Rpc.Backup;
using Cairn.Storage.Served;
using LocalMessage = Cairn.Rpc.Backup.Local;
using S3Message = Cairn.Rpc.Backup.S3;

namespace Cairn.Storage.Backends;

/// <summary>
/// The mapping between a parsed <see cref="StorageUrl"/> and kvproto's <see cref="StorageBackend"/>, the form in
/// which br tells a store where to write. <see cref="ToBackend"/> is br's side; <see cref="OpenAsync"/> is the
/// store's. A backend may carry secrets: never log or print the message itself.
/// </summary>
public static class StorageBackends
{
    /// <summary>
    /// The backend message for <paramref name="url"/>. With <paramref name="includeCredentials"/> false every secret
    /// (S3 keys and session token, the Azure shared key and SAS, the GCS key content) is left empty, so the store uses
    /// its own environment, as br's <c>--send-credentials-to-tikv=false</c>. With it true, the GCS key file named by
    /// the URL is read and sent as <c>credentials_blob</c>.
    /// </summary>
    public static StorageBackend ToBackend(StorageUrl url, bool includeCredentials)
    {
        ArgumentNullException.ThrowIfNull(url);
        switch (url.Kind)
        {
            case StorageKind.Local:
                return new StorageBackend { Local = new LocalMessage { Path = Path.GetFullPath(url.LocalPath!) } };
            case StorageKind.Noop:
                return new StorageBackend { Noop = new Noop() };
            case StorageKind.S3:
            {
                var s3 = url.S3!;
                var message = new S3Message
                {
                    Endpoint = s3.Endpoint ?? "",
                    Region = s3.Region,
                    Bucket = s3.Bucket,
                    Prefix = s3.Prefix,
                    StorageClass = s3.StorageClass ?? "",
                    Sse = s3.Sse ?? "",
                    SseKmsKeyId = s3.SseKmsKeyId ?? "",
                    Acl = s3.Acl ?? "",
                    ForcePathStyle = s3.ForcePathStyle,
                    Provider = s3.Provider ?? "",
                };
                if (includeCredentials && s3.AccessKey is not null)
                {
                    message.AccessKey = s3.AccessKey;
                    message.SecretAccessKey = s3.SecretAccessKey ?? "";
                    message.SessionToken = s3.SessionToken ?? "";
                }
                else if (includeCredentials && Cairn.Storage.S3.S3SharedCredentials.Resolve() is { } shared)
                {
                    // As BR does: keys br found in its shared credentials file go to the stores, which may have none.
                    message.AccessKey = shared.AccessKey;
                    message.SecretAccessKey = shared.SecretKey;
                    message.SessionToken = shared.Token ?? "";
                }

                return new StorageBackend { S3 = message };
            }
            case StorageKind.AzureBlob:
            {
                var azure = url.Azure!;
                var message = new AzureBlobStorage
                {
                    Endpoint = azure.Endpoint ?? "",
                    Bucket = azure.Container,
                    Prefix = azure.Prefix,
                    StorageClass = azure.AccessTier ?? "",
                    AccountName = azure.AccountName ?? "",
                };
                if (includeCredentials)
                {
                    message.SharedKey = azure.AccountKey ?? "";
                    message.AccessSig = azure.SasToken ?? "";
                }

                return new StorageBackend { AzureBlobStorage = message };
            }
            case StorageKind.Gcs:
            {
                var gcs = url.Gcs!;
                var message = new GCS
                {
                    Endpoint = gcs.Endpoint ?? "",
                    Bucket = gcs.Bucket,
                    Prefix = gcs.Prefix,
                    StorageClass = gcs.StorageClass ?? "",
                    PredefinedAcl = gcs.PredefinedAcl ?? "",
                };
                if (includeCredentials)
                {
                    message.CredentialsBlob = gcs.CredentialsJson ?? ReadCredentialsFile(gcs.CredentialsFile);
                }

                return new StorageBackend { Gcs = message };
            }
            case StorageKind.Served:
                // The token is the server's own per-job credential, not a cloud credential: without it no store gets in.
                return ForLocalServer(url.Served!);
            default:
                throw new StorageException($"storage {url.Uri} has no backend message", isTransient: false, StorageErrorKind.InvalidArgument);
        }
    }

    /// <summary>
    /// Opens the storage <paramref name="backend"/> names, as a store does with a request's backend. Credentials in
    /// the message live only in memory; where they are empty the store's environment (AWS_*, AZURE_STORAGE_*,
    /// GOOGLE_APPLICATION_CREDENTIALS) is used, as for a URL. Only the retry policy, rate limit, path check and
    /// environment of <paramref name="options"/> apply; its backend settings do not. An unsupported or empty backend
    /// is a non-transient <see cref="StorageException"/> that names it.
    /// </summary>
    public static async ValueTask<IExternalStorage> OpenAsync(StorageBackend backend, StorageOpenOptions? options, CancellationToken cancellationToken)
    {
        var url = ToUrl(backend, options);
        return await ExternalStorage.OpenAsync(url, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The <see cref="StorageUrl"/> a backend message names, with the environment filling empty credentials.</summary>
    public static StorageUrl ToUrl(StorageBackend backend, StorageOpenOptions? options)
    {
        ArgumentNullException.ThrowIfNull(backend);
        options ??= StorageOpenOptions.Default;
        switch (backend.BackendCase)
        {
            case StorageBackend.BackendOneofCase.Local:
            {
                var path = backend.Local.Path;
                if (!Path.IsPathFullyQualified(path))
                {
                    throw Invalid($"the local backend path \"{path}\" is not absolute; a store cannot tell where it is relative to (give br an absolute path)");
                }

                return StorageUrl.Parse("local://" + path, options with { Settings = new Dictionary<string, string?>() });
            }
            case StorageBackend.BackendOneofCase.Noop:
                return new StorageUrl { Kind = StorageKind.Noop, Uri = "noop://" };
            case StorageBackend.BackendOneofCase.S3:
            {
                var s3 = backend.S3;
                var settings = Settings(
                    ("endpoint", s3.Endpoint), ("region", s3.Region), ("storage-class", s3.StorageClass), ("sse", s3.Sse),
                    ("sse-kms-key-id", s3.SseKmsKeyId), ("acl", s3.Acl), ("provider", s3.Provider),
                    ("force-path-style", s3.ForcePathStyle ? "true" : "false"),
                    ("access-key", s3.AccessKey), ("secret-access-key", s3.SecretAccessKey), ("session-token", s3.SessionToken));
                return StorageUrl.ForBucket(StorageKind.S3, s3.Bucket, s3.Prefix.Trim('/'), settings, options, Shown("s3", s3.Bucket, s3.Prefix));
            }
            case StorageBackend.BackendOneofCase.AzureBlobStorage:
            {
                var azure = backend.AzureBlobStorage;
                var settings = Settings(
                    ("endpoint", azure.Endpoint), ("account-name", azure.AccountName), ("account-key", azure.SharedKey),
                    ("sas-token", azure.AccessSig), ("access-tier", azure.StorageClass));
                return StorageUrl.ForBucket(StorageKind.AzureBlob, azure.Bucket, azure.Prefix.Trim('/'), settings, options, Shown("azure", azure.Bucket, azure.Prefix));
            }
            case StorageBackend.BackendOneofCase.Gcs:
            {
                var gcs = backend.Gcs;
                var settings = Settings(("endpoint", gcs.Endpoint), ("storage-class", gcs.StorageClass), ("predefined-acl", gcs.PredefinedAcl));
                var url = StorageUrl.ForBucket(StorageKind.Gcs, gcs.Bucket, gcs.Prefix.Trim('/'), settings, options, Shown("gcs", gcs.Bucket, gcs.Prefix));
                return gcs.CredentialsBlob.Length == 0 ? url : url with { Gcs = url.Gcs! with { CredentialsJson = gcs.CredentialsBlob } };
            }
            case StorageBackend.BackendOneofCase.Hdfs:
                throw Invalid("the HDFS storage backend is not supported; use local, S3, Azure Blob or GCS storage");
            case StorageBackend.BackendOneofCase.CloudDynamic when backend.CloudDynamic.ProviderName == ServedProtocol.ProviderName:
                return FromLocalServer(backend.CloudDynamic);
            case StorageBackend.BackendOneofCase.CloudDynamic:
                throw Invalid($"the cloud_dynamic storage backend of provider \"{backend.CloudDynamic.ProviderName}\" is not supported; use local, S3, Azure Blob or GCS storage, or br's --local-server");
            default:
                throw Invalid("the request names no storage backend; set one of local, noop, s3, gcs or azure_blob_storage");
        }
    }

    /// <summary>
    /// The backend that sends stores to br's local backup server: <c>cloud_dynamic { provider_name: "cairn-br-server",
    /// bucket { endpoint, prefix }, attrs { token } }</c>. It holds the job's token: it travels only inside requests.
    /// </summary>
    public static StorageBackend ForLocalServer(ServedStorageOptions server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var message = new CloudDynamic
        {
            ProviderName = ServedProtocol.ProviderName,
            Bucket = new Bucket { Endpoint = server.Endpoint.GetLeftPart(UriPartial.Authority), Prefix = server.Prefix },
        };
        message.Attrs[ServedProtocol.TokenAttribute] = server.Token;
        return new StorageBackend { CloudDynamic = message };
    }

    /// <summary>
    /// Where the credentials a store uses for <paramref name="backend"/> come from, in words for a log line (never
    /// the credentials themselves): sent by br, the store's own environment, or none needed.
    /// </summary>
    public static string CredentialSource(StorageBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        const string FromBr = "sent by br in the request";
        const string FromEnvironment = "none in the request: the store's own environment";
        return backend.BackendCase switch
        {
            StorageBackend.BackendOneofCase.S3 => backend.S3.AccessKey.Length > 0 ? FromBr : FromEnvironment,
            StorageBackend.BackendOneofCase.AzureBlobStorage => backend.AzureBlobStorage.SharedKey.Length > 0 || backend.AzureBlobStorage.AccessSig.Length > 0 ? FromBr : FromEnvironment,
            StorageBackend.BackendOneofCase.Gcs => backend.Gcs.CredentialsBlob.Length > 0 ? FromBr : FromEnvironment,
            StorageBackend.BackendOneofCase.CloudDynamic => "the job's token from br",
            _ => "none needed",
        };
    }

    private static StorageUrl FromLocalServer(CloudDynamic message)
    {
        var endpoint = message.Bucket?.Endpoint ?? "";
        if (!StorageUrl.IsHttpEndpoint(endpoint))
        {
            throw Invalid($"the br local server backend's endpoint \"{Redact.Url(endpoint)}\" is not an http:// or https:// URL with a host");
        }

        if (!message.Attrs.TryGetValue(ServedProtocol.TokenAttribute, out var token) || token.Length == 0)
        {
            throw Invalid($"the br local server backend names no token (attrs \"{ServedProtocol.TokenAttribute}\"); br sends one with every job");
        }

        var options = new ServedStorageOptions { Endpoint = new Uri(endpoint), Prefix = (message.Bucket?.Prefix ?? "").Trim('/'), Token = token };
        return new StorageUrl { Kind = StorageKind.Served, Uri = options.Uri, Served = options };
    }

    private static Dictionary<string, string> Settings(params (string Key, string Value)[] pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            if (value.Length > 0)
            {
                result[key] = value;
            }
        }

        return result;
    }

    private static string Shown(string scheme, string bucket, string prefix)
    {
        var trimmed = prefix.Trim('/');
        return trimmed.Length == 0 ? $"{scheme}://{bucket}" : $"{scheme}://{bucket}/{trimmed}";
    }

    private static string ReadCredentialsFile(string? file)
    {
        if (string.IsNullOrEmpty(file))
        {
            return "";
        }

        try
        {
            return System.IO.File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"GCS credentials file '{file}' could not be read ({e.Message}); check the path given as gcs.credentials-file", isTransient: false, StorageErrorKind.InvalidArgument, e);
        }
    }

    private static StorageException Invalid(string message) => new(message, isTransient: false, StorageErrorKind.InvalidArgument);
}
