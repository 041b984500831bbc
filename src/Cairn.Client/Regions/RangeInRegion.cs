namespace Cairn.Client.Regions;

/// <summary>The part of a user key range <c>[Start, End)</c> that lies in one region (empty End = unbounded).</summary>
/// <param name="Region">The region.</param>
/// <param name="Start">Inclusive start (user key).</param>
/// <param name="End">Exclusive end (user key; empty = unbounded).</param>
public sealed record RangeInRegion(CachedRegion Region, byte[] Start, byte[] End);
