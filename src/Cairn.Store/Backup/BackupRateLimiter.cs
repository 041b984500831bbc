using Cairn.Storage;

namespace Cairn.Store.Backup;

/// <summary>
/// The store's one upload limiter, shared by every backup request running on it, so that <c>rate_limit</c> holds
/// per store however many requests br sends at once (BR's per-request limiter let 28 MB/s through a limit of 8).
/// The rule: each request with a non-zero <c>rate_limit</c> sets the store's rate when it starts (the newest request
/// wins) and its uploads draw from the shared bucket; a request with <c>rate_limit</c> 0 is not limited.
/// </summary>
internal sealed class BackupRateLimiter
{
    private readonly Lock _gate = new();
    private TokenBucket? _bucket;

    /// <summary>The bucket for a request with <paramref name="bytesPerSecond"/> (0: none), after applying its rate.</summary>
    public TokenBucket? ForRequest(ulong bytesPerSecond)
    {
        if (bytesPerSecond == 0)
        {
            return null;
        }

        var rate = (long)Math.Min(bytesPerSecond, long.MaxValue);
        lock (_gate)
        {
            if (_bucket is null)
            {
                _bucket = new TokenBucket(rate);
            }
            else
            {
                _bucket.SetRate(rate);
            }

            return _bucket;
        }
    }
}
