using System.Globalization;

namespace Cairn.Common;

/// <summary>
/// Timestamps from the placement driver (br-spec §f.8): <c>physical_ms &lt;&lt; 18 | logical</c>, where physical is
/// Unix time in milliseconds and logical a counter within the millisecond.
/// </summary>
public static class Tso
{
    /// <summary>Bits of the logical part.</summary>
    public const int LogicalBits = 18;

    /// <summary>Largest logical part.</summary>
    public const long MaxLogical = (1L << LogicalBits) - 1;

    /// <summary>Largest physical part (milliseconds) that fits.</summary>
    public const long MaxPhysical = (long)(ulong.MaxValue >> LogicalBits);

    /// <summary>The timestamp that sees every committed version.</summary>
    public const ulong Max = ulong.MaxValue;

    /// <summary>Builds a timestamp from its parts.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A part is out of range.</exception>
    public static ulong Compose(long physicalMs, long logical)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(physicalMs);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(physicalMs, MaxPhysical);
        ArgumentOutOfRangeException.ThrowIfNegative(logical);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(logical, MaxLogical);
        return ((ulong)physicalMs << LogicalBits) | (ulong)logical;
    }

    /// <summary>The physical part: Unix milliseconds.</summary>
    public static long Physical(ulong ts) => (long)(ts >> LogicalBits);

    /// <summary>The logical part.</summary>
    public static long Logical(ulong ts) => (long)(ts & MaxLogical);

    /// <summary>Splits a timestamp into its parts.</summary>
    public static (long PhysicalMs, long Logical) Split(ulong ts) => (Physical(ts), Logical(ts));

    /// <summary>The timestamp of a wall-clock time with logical 0 (Go BR's <c>GoTimeToTS</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The time is before the Unix epoch.</exception>
    public static ulong FromDateTimeOffset(DateTimeOffset time) => Compose(time.ToUnixTimeMilliseconds(), 0);

    /// <summary>The wall-clock time of a timestamp's physical part, in UTC.</summary>
    public static DateTimeOffset ToDateTimeOffset(ulong ts) => DateTimeOffset.FromUnixTimeMilliseconds(Physical(ts));

    /// <summary>Moves a timestamp by a duration, keeping its logical part (as BR does for GC safepoints and TTLs).</summary>
    public static ulong AddPhysical(ulong ts, TimeSpan delta) =>
        Compose(Physical(ts) + (long)delta.TotalMilliseconds, Logical(ts));

    /// <summary>A readable form: <c>449412515532472321 (2024-05-01T08:00:00.000Z, logical 1)</c>.</summary>
    public static string Format(ulong ts) =>
        string.Create(CultureInfo.InvariantCulture, $"{ts} ({ToDateTimeOffset(ts):yyyy-MM-ddTHH:mm:ss.fffZ}, logical {Logical(ts)})");

    /// <summary>
    /// Parses a timestamp given either as a decimal TSO or as a date-time (ISO 8601 or <c>yyyy-MM-dd HH:mm:ss</c> with
    /// optional offset, UTC when none), like br's <c>--backupts</c>.
    /// </summary>
    /// <exception cref="FormatException">The text is neither.</exception>
    public static ulong Parse(string text)
    {
        if (!TryParse(text, out var ts))
        {
            throw new FormatException($"'{text}' is neither a TSO nor a date-time");
        }

        return ts;
    }

    /// <summary>Non-throwing form of <see cref="Parse(string)"/>.</summary>
    public static bool TryParse(string? text, out ulong ts)
    {
        ts = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ts))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            && time.ToUnixTimeMilliseconds() >= 0)
        {
            ts = FromDateTimeOffset(time);
            return true;
        }

        ts = 0;
        return false;
    }
}
