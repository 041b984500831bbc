using Cairn.Storage;

namespace Cairn.Store.Import;

/// <summary>
/// The store-wide download rate (<c>SetDownloadSpeedLimit</c>): every download on the store pays for the bytes it
/// reads from one bucket, so the limit holds for the store, not per file. 0 means unlimited. A new limit applies
/// to the next read of every running download.
/// </summary>
internal sealed class DownloadLimiter
{
    private TokenBucket? _bucket;

    /// <summary>The limit in bytes per second; 0 when unlimited.</summary>
    public ulong BytesPerSecond => (ulong)(Volatile.Read(ref _bucket)?.BytesPerSecond ?? 0);

    /// <summary>Sets the limit; 0 removes it.</summary>
    public void SetLimit(ulong bytesPerSecond) =>
        Volatile.Write(ref _bucket, bytesPerSecond == 0 ? null : new TokenBucket((long)Math.Min(bytesPerSecond, long.MaxValue)));

    /// <summary>Pays for <paramref name="bytes"/> read, waiting as long as the limit requires.</summary>
    public ValueTask TakeAsync(int bytes, CancellationToken cancellationToken) =>
        Volatile.Read(ref _bucket) is { } bucket ? bucket.TakeAsync(bytes, cancellationToken) : ValueTask.CompletedTask;
}
