using Cairn.Client;
using Cairn.Client.Regions;
using Cairn.Pd.Client;

namespace Cairn.Testing;

/// <summary>Shapes a test cluster's regions: splits at keys and spreads regions over the stores.</summary>
public static class ClusterSetup
{
    /// <summary>Splits at <paramref name="keys"/> and waits until pd knows every new boundary.</summary>
    public static async Task SplitAsync(TestCluster cluster, PdClient pd, IEnumerable<byte[]> keys, KeyMode mode)
    {
        var list = keys.ToList();
        using var cache = new RegionCache(pd);
        await new RegionSplitter(cache).SplitAsync(list, mode);
        foreach (var key in list)
        {
            var regionKey = RegionCache.ToRegionKey(key, mode);
            await cluster.WaitUntilAsync(async () =>
                (await pd.GetRegionAsync(regionKey))?.Region.StartKey.Span.SequenceEqual(regionKey) == true,
                $"pd to learn the split at {Convert.ToHexString(key)}");
        }
    }

    /// <summary>Scatters every region and waits until their leaders sit on at least <paramref name="minStores"/> stores.</summary>
    public static async Task ScatterAsync(TestCluster cluster, PdClient pd, int minStores)
    {
        var regions = await pd.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0);
        await pd.ScatterRegionsAsync([.. regions.Select(r => r.Region.Id)]);
        await cluster.WaitUntilAsync(async () =>
        {
            var now = await pd.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0);
            return now.Where(r => r.Leader is not null).Select(r => r.Leader!.StoreId).Distinct().Count() >= minStores;
        }, $"regions to be spread over {minStores} stores");
    }

    /// <summary>Stores that lead at least one region, per pd.</summary>
    public static async Task<int> LeaderStoreCountAsync(PdClient pd) =>
        (await pd.ScanRegionsAsync(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0)).Where(r => r.Leader is not null).Select(r => r.Leader!.StoreId).Distinct().Count();
}
