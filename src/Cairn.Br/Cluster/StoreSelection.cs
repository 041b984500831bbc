using Cairn.Rpc.Metapb;

namespace Cairn.Br.Cluster;

/// <summary>Which stores receive backup requests.</summary>
internal static class StoreSelection
{
    /// <summary>Whether a store is labelled <c>engine=tiflash</c>: it holds no data br backs up.</summary>
    public static bool IsTiFlash(Store store) =>
        store.Labels.Any(l => string.Equals(l.Key, "engine", StringComparison.OrdinalIgnoreCase) && string.Equals(l.Value, "tiflash", StringComparison.OrdinalIgnoreCase));

    /// <summary>The stores a range is pushed down to: state Up and not TiFlash.</summary>
    public static IReadOnlyList<Store> BackupTargets(IEnumerable<Store> stores) =>
        [.. stores.Where(s => s.State == StoreState.Up && !IsTiFlash(s))];
}
