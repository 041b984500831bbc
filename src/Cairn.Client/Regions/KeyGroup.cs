namespace Cairn.Client.Regions;

/// <summary>User keys that fall in one region, in the order given.</summary>
/// <param name="Region">The region.</param>
/// <param name="Keys">The keys.</param>
public sealed record KeyGroup(CachedRegion Region, IReadOnlyList<byte[]> Keys);
