using System.Globalization;

namespace Cairn.Common;

/// <summary>
/// Byte counts as TiKV, PD and BR flags and configs write them: a number with an optional unit, <c>512</c>,
/// <c>64KiB</c>, <c>1.5GB</c>, <c>8m</c>. As in TiDB's tools (docker's <c>units.RAMInBytes</c>) every unit is binary:
/// <c>k</c>, <c>kb</c> and <c>kib</c> all mean 1024, and units are case-insensitive.
/// </summary>
public static class ByteSize
{
    private static readonly string[] FormatUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>Parses a byte count; false for an empty, negative, unknown-unit or out-of-range text.</summary>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        var span = text.AsSpan().Trim();
        var digits = 0;
        while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.'))
        {
            digits++;
        }

        if (digits == 0 || !double.TryParse(span[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var unit = span[digits..].TrimStart();
        var shift = unit.Length == 0 ? 0 : char.ToLowerInvariant(unit[0]) switch
        {
            'b' when unit.Length == 1 => 0,
            'k' => 10,
            'm' => 20,
            'g' => 30,
            't' => 40,
            'p' => 50,
            _ => -1,
        };
        // After the prefix letter only "b" or "ib" may follow.
        if (shift < 0 || (shift > 0 && unit.Length > 1 && !unit[1..].Equals("b", StringComparison.OrdinalIgnoreCase)
            && !unit[1..].Equals("ib", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        var value = number * Math.Pow(2, shift);
        if (value >= long.MaxValue)
        {
            return false;
        }

        bytes = (long)value;
        return true;
    }

    /// <summary>Parses a byte count, naming <paramref name="what"/> (a flag or setting) in the error.</summary>
    /// <exception cref="FormatException">The text is not a byte count.</exception>
    public static long Parse(string text, string what) => TryParse(text, out var bytes)
        ? bytes
        : throw new FormatException($"{what}: '{text}' is not a size (e.g. 512, 64KiB, 128MB, 1.5GiB)");

    /// <summary>Formats a byte count the way PD prints one: binary units, up to three decimals, <c>1.5GiB</c>.</summary>
    public static string Format(ulong bytes)
    {
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < FormatUnits.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("0.###", CultureInfo.InvariantCulture) + FormatUnits[unit];
    }
}
