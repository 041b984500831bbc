using System.Globalization;

namespace Cairn.Common;

/// <summary>
/// Durations as Go and PD write them (<c>500ms</c>, <c>30s</c>, <c>10m</c>, <c>1h30m</c>): pd's flags and its schedule
/// configuration both take them.
/// </summary>
public static class GoDuration
{
    /// <summary>Parses a sequence of number-unit pairs (units ms, s, m, h), or a bare <c>0</c>.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var span = text.AsSpan().Trim();
        if (span.IsEmpty)
        {
            return false;
        }

        if (span is "0")
        {
            return true;
        }

        var total = 0.0;
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !double.TryParse(span[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            span = span[digits..];
            var unitLength = 0;
            while (unitLength < span.Length && char.IsAsciiLetter(span[unitLength]))
            {
                unitLength++;
            }

            double scale = span[..unitLength] switch
            {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                _ => double.NaN,
            };
            if (double.IsNaN(scale))
            {
                return false;
            }

            total += number * scale;
            span = span[unitLength..];
        }

        if (total > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>Formats whole seconds as Go does for hours and more: <c>1h0m0s</c>.</summary>
    public static string Format(TimeSpan value) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)value.TotalHours}h{value.Minutes}m{value.Seconds}s");
}
