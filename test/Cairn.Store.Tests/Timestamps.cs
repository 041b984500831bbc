using Cairn.Common;

namespace Cairn.Store.Tests;

/// <summary>A shared, strictly increasing timestamp source standing in for pd's TSO.</summary>
internal sealed class Timestamps
{
    private long _last = (long)Tso.Compose(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0);

    public ulong Next() => (ulong)Interlocked.Increment(ref _last);

    /// <summary>A timestamp <paramref name="ms"/> milliseconds after the last one handed out (for TTL expiry).</summary>
    public ulong After(long ms)
    {
        var target = (long)Tso.Compose(Tso.Physical((ulong)Volatile.Read(ref _last)) + ms, 0);
        while (true)
        {
            var last = Volatile.Read(ref _last);
            var next = Math.Max(last + 1, target);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return (ulong)next;
            }
        }
    }
}
