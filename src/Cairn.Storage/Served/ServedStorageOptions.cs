namespace Cairn.Storage.Served;

/// <summary>
/// Where br's local backup server listens for one job and the token it accepts (a <c>cloud_dynamic</c> backend with
/// provider <see cref="ServedProtocol.ProviderName"/>). The token is a secret: <see cref="ToString"/> hides it.
/// </summary>
public sealed record ServedStorageOptions
{
    /// <summary>The server's base URL, <c>http://host:port</c> or <c>https://host:port</c>.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>A folder inside the served one that every path is relative to (usually empty), without surrounding '/'.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>The job's bearer token.</summary>
    public required string Token { get; init; }

    /// <summary>
    /// Creates the HTTP handler of the client: a store passes one holding its TLS settings when the endpoint is https.
    /// Null: a plain <see cref="SocketsHttpHandler"/>.
    /// </summary>
    public Func<HttpMessageHandler>? HandlerFactory { get; init; }

    /// <summary>How many times in a row a download may reconnect without receiving a byte. Default 3.</summary>
    public int ReadAttempts { get; init; } = 3;

    /// <summary>Timeout of each request until its answer's headers arrive, and of every read of a body. Default 5 minutes.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The URL shown for the storage: the endpoint and prefix, never the token.</summary>
    public string Uri => Prefix.Length == 0 ? Endpoint.GetLeftPart(UriPartial.Authority) : $"{Endpoint.GetLeftPart(UriPartial.Authority)}/{Prefix}";

    /// <inheritdoc/>
    public override string ToString() =>
        $"ServedStorageOptions {{ Endpoint = {Endpoint}, Prefix = {Prefix}, Token = {Redact.Placeholder}, ReadAttempts = {ReadAttempts}, RequestTimeout = {RequestTimeout} }}";
}
