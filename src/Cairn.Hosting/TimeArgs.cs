using System.Globalization;
using Cairn.Common;

namespace Cairn.Hosting;

/// <summary>
/// Timestamp and duration arguments as BR reads them: <c>--backupts</c> (a TSO, or a date-time in the local time
/// zone), <c>--timeago</c> and <c>--gcttl</c> (Go durations such as <c>90s</c>, <c>1h30m</c>). Each check throws
/// <see cref="CliUsageException"/> naming the flag and the value.
/// </summary>
public static class TimeArgs
{
    private static readonly string[] DateTimeFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFF", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFF",
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
    ];

    /// <summary>
    /// A timestamp given as a decimal TSO (<c>physical_ms &lt;&lt; 18 | logical</c>) or a date-time. A date-time
    /// without an offset is read in <paramref name="zone"/> (the local zone when null), as BR does; one with an offset
    /// (<c>2024-05-01 08:00:00 +08:00</c>, <c>…Z</c>) is read as written. Empty text is 0 (not set).
    /// </summary>
    public static ulong Timestamp(string? text, string flag, TimeZoneInfo? zone = null)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return 0;
        }

        var value = text.Trim();
        if (char.IsAsciiDigit(value[0]) && value.All(char.IsAsciiDigit))
        {
            if (ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var tso))
            {
                return tso;
            }

            throw new CliUsageException($"{flag}: '{text}' is too large for a TSO");
        }

        zone ??= TimeZoneInfo.Local;
        DateTimeOffset time;
        if (DateTime.TryParseExact(value, DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            time = new DateTimeOffset(local, zone.GetUtcOffset(local));
        }
        else if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out time) || !HasOffset(value))
        {
            throw new CliUsageException($"{flag}: '{text}' is neither a TSO nor a date-time such as '2024-05-01 08:00:00' (local time) or '2024-05-01T00:00:00Z'");
        }

        if (time.ToUnixTimeMilliseconds() < 0)
        {
            throw new CliUsageException($"{flag}: '{text}' is before 1970-01-01");
        }

        return Tso.FromDateTimeOffset(time);
    }

    /// <summary>
    /// A Go duration (<c>300ms</c>, <c>90s</c>, <c>5m</c>, <c>1h30m</c>, <c>0</c>); with
    /// <paramref name="bareSeconds"/> a bare number counts seconds (BR's <c>--gcttl 300</c>). A leading <c>-</c> is
    /// refused as negative, and values below <paramref name="minimum"/> are refused.
    /// </summary>
    public static TimeSpan Duration(string? text, string flag, bool bareSeconds = false, TimeSpan? minimum = null)
    {
        var value = (text ?? "").Trim();
        if (value.Length == 0)
        {
            throw new CliUsageException($"{flag} needs a duration such as 30s, 5m or 1h");
        }

        if (value[0] == '-')
        {
            throw new CliUsageException($"{flag} must not be negative, got '{text}'");
        }

        TimeSpan result;
        if (bareSeconds && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            if (seconds > (long)TimeSpan.MaxValue.TotalSeconds)
            {
                throw new CliUsageException($"{flag}: '{text}' seconds is too long");
            }

            result = TimeSpan.FromSeconds(seconds);
        }
        else if (!GoDuration.TryParse(value, out result))
        {
            var hint = bareSeconds ? "seconds (300) or a duration such as 30s, 5m or 1h" : "a duration such as 30s, 5m or 1h30m";
            throw new CliUsageException($"{flag}: '{text}' is not {hint}");
        }

        if (minimum is { } min && result < min)
        {
            throw new CliUsageException($"{flag} must be at least {Describe(min)}, got '{text}'");
        }

        return result;
    }

    private static string Describe(TimeSpan value) =>
        value.TotalSeconds >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds}s") : string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds}ms");

    // DateTimeOffset.TryParse reads a text without an offset in the machine's zone; only texts that name an offset
    // are taken from it (the exact formats above handle the rest in the zone asked for).
    private static bool HasOffset(string value)
    {
        var t = value.IndexOfAny(['T', ' ']);
        if (t < 0)
        {
            return false;
        }

        var timePart = value[(t + 1)..];
        return timePart.EndsWith('Z') || timePart.EndsWith('z') || timePart.Contains('+', StringComparison.Ordinal) || timePart.Contains('-', StringComparison.Ordinal);
    }
}
