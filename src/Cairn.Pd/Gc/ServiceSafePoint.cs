namespace Cairn.Pd.Gc;

/// <summary>
/// A service GC safepoint: the service (br, a changefeed, …) needs versions at or after <see cref="SafePoint"/> until
/// <see cref="ExpiresAtUnixSeconds"/> (<see cref="long.MaxValue"/> = never).
/// </summary>
/// <param name="ServiceId">Service name, e.g. <c>br-4f2c…</c>.</param>
/// <param name="SafePoint">Oldest timestamp the service still reads.</param>
/// <param name="ExpiresAtUnixSeconds">When the entry stops counting, in Unix seconds.</param>
public readonly record struct ServiceSafePoint(string ServiceId, ulong SafePoint, long ExpiresAtUnixSeconds);
