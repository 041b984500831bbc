namespace Cairn.Pd.Client;

/// <summary>The smallest live service GC safepoint after an update.</summary>
/// <param name="ServiceId">The service holding it (<c>gc_worker</c> when it is the GC safepoint itself).</param>
/// <param name="TtlSeconds">Its remaining lifetime in seconds (<see cref="long.MaxValue"/> = never expires).</param>
/// <param name="MinSafePoint">The safepoint.</param>
public readonly record struct ServiceSafePointResult(string ServiceId, long TtlSeconds, ulong MinSafePoint);
