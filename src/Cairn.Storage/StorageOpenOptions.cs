using System.Text;

namespace Cairn.Storage;

/// <summary>
/// What the caller adds to a storage URL: backend settings under BR's flag names (<c>s3.endpoint</c>,
/// <c>s3.region</c>, <c>azblob.account-key</c>, <c>gcs.credentials-file</c>…), the retry policy, a rate limit,
/// and where environment variables come from. Query parameters of the URL override the settings.
/// </summary>
public sealed record StorageOpenOptions
{
    /// <summary>Nothing set: defaults everywhere, the process environment.</summary>
    public static StorageOpenOptions Default { get; } = new();

    /// <summary>
    /// Backend settings keyed by flag name without the leading dashes, for example <c>s3.endpoint</c>. Keys are
    /// matched case-insensitively with '_' read as '-'. A null value counts as not set.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Retry policy of the returned storage; null means <see cref="RetryPolicy.Default"/>, <see cref="RetryPolicy.None"/> turns retries off.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>Bytes per second for all reads and writes of the storage together; 0 means unlimited.</summary>
    public long RateLimitBytesPerSecond { get; init; }

    /// <summary>Whether to check at open that the bucket or container exists and is accessible.</summary>
    public bool CheckPath { get; init; } = true;

    /// <summary>Reads an environment variable; null means the process environment. Tests pass their own.</summary>
    public Func<string, string?>? EnvironmentVariables { get; init; }

    /// <summary>
    /// Creates the HTTP handler for br's local backup server (<see cref="StorageKind.Served"/>): a store passes one
    /// that holds its TLS settings. Null: a plain handler.
    /// </summary>
    public Func<HttpMessageHandler>? ServedHttpHandler { get; init; }

    /// <summary>Returns a copy with one more setting.</summary>
    public StorageOpenOptions With(string name, string? value)
    {
        var copy = new Dictionary<string, string?>(Settings, StringComparer.OrdinalIgnoreCase) { [name] = value };
        return this with { Settings = copy };
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var builder = new StringBuilder("StorageOpenOptions { Settings = { ");
        var first = true;
        foreach (var (key, value) in Settings)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            builder.Append(key).Append(" = ").Append(value is not null && Redact.IsSecretParameter(key) ? Redact.Placeholder : value);
        }
        return builder.Append(" }, RateLimitBytesPerSecond = ").Append(RateLimitBytesPerSecond)
            .Append(", CheckPath = ").Append(CheckPath).Append(", Retry = ").Append(Retry is null ? "default" : $"{Retry.MaxAttempts} attempts")
            .Append(" }").ToString();
    }
}
