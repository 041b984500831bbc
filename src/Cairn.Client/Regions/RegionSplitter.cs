using Cairn.Common.Keys;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Google.Protobuf;

namespace Cairn.Client.Regions;

/// <summary>
/// Splits regions at user keys by asking each region's leader (kvproto <c>SplitRegion</c>), following region errors
/// through the cache. Keys already at a region boundary are skipped.
/// </summary>
public sealed class RegionSplitter
{
    private readonly RegionCache _cache;

    /// <summary>Creates a splitter that locates regions through <paramref name="cache"/>.</summary>
    public RegionSplitter(RegionCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        _cache = cache;
    }

    /// <summary>Splits at <paramref name="userKeys"/> and returns the regions the splits produced.</summary>
    public async Task<IReadOnlyList<Region>> SplitAsync(IEnumerable<byte[]> userKeys, KeyMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userKeys);
        var backoffer = new Backoffer(_cache.Options.WriteBudget);
        var produced = new List<Region>();
        var pending = userKeys.Where(k => k.Length > 0).Distinct(ByteKeyComparer.Instance).ToList();
        while (pending.Count > 0)
        {
            var retry = new List<byte[]>();
            foreach (var group in await _cache.GroupKeysByRegionAsync(pending, mode, backoffer, cancellationToken).ConfigureAwait(false))
            {
                var keys = group.Keys.Where(k => !RegionCache.ToRegionKey(k, mode).AsSpan().SequenceEqual(group.Region.Region.StartKey.Span)).ToList();
                if (keys.Count == 0)
                {
                    continue;
                }

                var response = await _cache.SendAsync(group.Region, "SplitRegion", static (t, r, o) => t.SplitRegionAsync(r, o),
                    c => new SplitRegionRequest { Context = c, SplitKeys = { keys.Select(ByteString.CopyFrom) }, IsRawKv = mode == KeyMode.Raw },
                    r => r.RegionError is { } e && (e.NotLeader is not null || e.EpochNotMatch is not null || e.RegionNotFound is not null
                        || e.KeyNotInRegion is not null || e.StoreNotMatch is not null || e.ServerIsBusy is not null) ? e : null,
                    backoffer, $"split of {group.Region} at {keys.Count} keys", cancellationToken).ConfigureAwait(false);
                if (response is null)
                {
                    retry.AddRange(keys);
                    continue;
                }

                if (response.RegionError is { } invalid)
                {
                    throw new ClientException($"split of {group.Region} at {string.Join(", ", keys.Select(Convert.ToHexString))} was refused: {invalid.Message}", isRetryable: false);
                }

                // Later lookups must see the new boundaries.
                _cache.Invalidate(group.Region.Id);
                produced.AddRange(response.Regions);
            }

            pending = retry;
        }

        return produced;
    }
}
