using Cairn.Storage.Azure;
using Cairn.Storage.Gcs;
using Cairn.Storage.Local;
using Cairn.Storage.S3;
using Cairn.Storage.Served;

namespace Cairn.Storage;

/// <summary>Opens the storage a URL names, decorated for retries (outermost) and rate limiting.</summary>
public static class ExternalStorage
{
    /// <summary>
    /// Parses <paramref name="url"/> with <paramref name="options"/> (see <see cref="StorageUrl.Parse"/>), opens the
    /// backend (checking bucket access unless <see cref="StorageOpenOptions.CheckPath"/> is off) and wraps it:
    /// <see cref="RetryingStorage"/> outside, <see cref="RateLimitedStorage"/> inside when a rate is set.
    /// </summary>
    public static async ValueTask<IExternalStorage> OpenAsync(string url, StorageOpenOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= StorageOpenOptions.Default;
        var parsed = StorageUrl.Parse(url, options);
        return await OpenAsync(parsed, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens an already parsed URL; see <see cref="OpenAsync(string, StorageOpenOptions?, CancellationToken)"/>.</summary>
    public static async ValueTask<IExternalStorage> OpenAsync(StorageUrl url, StorageOpenOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        options ??= StorageOpenOptions.Default;
        var retry = options.Retry ?? RetryPolicy.Default;
        IExternalStorage storage = url.Kind switch
        {
            StorageKind.Local => new LocalStorage(url.LocalPath!),
            StorageKind.Noop => new NoopStorage(),
            StorageKind.S3 => await retry.ExecuteAsync($"open {url.Uri}", ct => S3Storage.OpenAsync(url.S3!, retry, ct), cancellationToken).ConfigureAwait(false),
            StorageKind.AzureBlob => await retry.ExecuteAsync($"open {url.Uri}",
                async ct => (IExternalStorage)await AzureBlobStorage.OpenAsync(url.Azure! with { CheckContainerOnOpen = options.CheckPath }, retry, handler: null, ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false),
            StorageKind.Gcs => await retry.ExecuteAsync($"open {url.Uri}",
                async ct => (IExternalStorage)await GcsStorage.OpenAsync(url.Gcs! with { CheckBucketOnOpen = options.CheckPath }, retry, handler: null, ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false),
            StorageKind.Served => new ServedStorage(url.Served! with { HandlerFactory = url.Served.HandlerFactory ?? options.ServedHttpHandler }),
            _ => throw new StorageException($"open {url.Uri}: unknown storage kind {url.Kind}", isTransient: false, StorageErrorKind.InvalidArgument),
        };
        if (options.RateLimitBytesPerSecond > 0)
        {
            storage = new RateLimitedStorage(storage, options.RateLimitBytesPerSecond);
        }

        if (retry.MaxAttempts > 1)
        {
            storage = new RetryingStorage(storage, retry);
        }

        return storage;
    }
}
