using Cairn.Rpc.Metapb;
using RegionError = Cairn.Rpc.Errorpb.Error;

namespace Cairn.Store.Regions;

/// <summary>What a split did: the resulting regions, or a region error, or why the request was invalid.</summary>
internal sealed record SplitOutcome
{
    /// <summary>Every resulting region ordered by start key (empty on failure).</summary>
    public IReadOnlyList<Region> Regions { get; init; } = [];

    /// <summary>Region error (stale epoch, unknown region, ...).</summary>
    public RegionError? RegionError { get; init; }

    /// <summary>Why the request was rejected (bad keys, bad IDs).</summary>
    public string? Error { get; init; }

    /// <summary>A rejected request.</summary>
    public static SplitOutcome Invalid(string error) => new() { Error = error };

    /// <summary>A request that hit a region error.</summary>
    public static SplitOutcome Failed(RegionError error) => new() { RegionError = error };
}
