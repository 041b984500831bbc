namespace Cairn.Storage;

/// <summary>
/// Where and how to reach an Azure Blob container (<c>azure://container/prefix</c> or <c>azblob://…</c>).
/// Credentials: <see cref="AccountKey"/> (SharedKey), <see cref="SasToken"/> or <see cref="ConnectionString"/>; when
/// all are absent the environment variables AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN and
/// AZURE_STORAGE_CONNECTION_STRING are used.
/// </summary>
public sealed record AzureBlobOptions
{
    /// <summary>Container name.</summary>
    public required string Container { get; init; }

    /// <summary>Prefix inside the container, without leading or trailing '/'.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>Service endpoint, for example <c>http://127.0.0.1:10000/devstoreaccount1</c>; default <c>https://{account}.blob.core.windows.net</c>.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Storage account name.</summary>
    public string? AccountName { get; init; }

    /// <summary>Base64 account key for SharedKey authentication. Secret.</summary>
    public string? AccountKey { get; init; }

    /// <summary>Shared access signature query string (with or without a leading '?'). Secret.</summary>
    public string? SasToken { get; init; }

    /// <summary>
    /// A storage connection string (<c>DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…</c>, or with
    /// <c>SharedAccessSignature=…</c> and <c>BlobEndpoint=…</c>). It names the endpoint and the credentials at once, so
    /// it is used only when neither <see cref="AccountKey"/> nor <see cref="SasToken"/> is given. Secret.
    /// </summary>
    public string? ConnectionString { get; init; }

    /// <summary>Access tier for new blobs (Hot, Cool, Archive…); null leaves the account default.</summary>
    public string? AccessTier { get; init; }

    /// <summary>
    /// Size of each staged block (Put Block) and the largest object a writer sends with a single Put Blob.
    /// Default 8 MiB; at most 1 GiB.
    /// </summary>
    public int BlockSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// How many blocks one writer uploads at the same time while it keeps accepting bytes. A writer holds at most
    /// <c>UploadConcurrency + 1</c> blocks in memory. Default 2.
    /// </summary>
    public int UploadConcurrency { get; init; } = 2;

    /// <summary>Largest number of blobs asked for per List Blobs page (1–5000). Default 5000.</summary>
    public int ListPageSize { get; init; } = 5000;

    /// <summary>How many times in a row a download may reconnect without receiving a byte. Default 3.</summary>
    public int ReadAttempts { get; init; } = 3;

    /// <summary>Timeout of each HTTP request, and of each read of a response body that makes no progress. Default 5 minutes.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Create the container at open when it does not exist (needs SharedKey or an account SAS). Default false.</summary>
    public bool CreateContainer { get; init; }

    /// <summary>Check at open that the container exists and accepts the credentials. Default true.</summary>
    public bool CheckContainerOnOpen { get; init; } = true;

    /// <inheritdoc/>
    public override string ToString() =>
        $"AzureBlobOptions {{ Container = {Container}, Prefix = {Prefix}, Endpoint = {Endpoint}, AccountName = {AccountName}, " +
        $"AccountKey = {(AccountKey is null ? "null" : "<redacted>")}, SasToken = {(SasToken is null ? "null" : "<redacted>")}, " +
        $"ConnectionString = {(ConnectionString is null ? "null" : "<redacted>")}, AccessTier = {AccessTier}, " +
        $"BlockSize = {BlockSize}, UploadConcurrency = {UploadConcurrency}, ListPageSize = {ListPageSize}, ReadAttempts = {ReadAttempts}, RequestTimeout = {RequestTimeout}, CreateContainer = {CreateContainer}, CheckContainerOnOpen = {CheckContainerOnOpen} }}";
}
