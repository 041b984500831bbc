namespace Cairn.Client.Regions;

/// <summary>A response without region error and the region that answered it (its boundaries tell a range walk where to go next).</summary>
/// <typeparam name="TResponse">The response message.</typeparam>
/// <param name="Region">The region the request was served by.</param>
/// <param name="Response">The response.</param>
public readonly record struct RegionResponse<TResponse>(CachedRegion Region, TResponse Response);
