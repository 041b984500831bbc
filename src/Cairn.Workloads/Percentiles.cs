using System.Globalization;

namespace Cairn.Workloads;

/// <summary>p50, p95, p99 and max of a set of latencies in milliseconds (nearest rank; all 0 for an empty set).</summary>
public sealed record Percentiles(int Count, double P50, double P95, double P99, double Max)
{
    /// <summary>The percentiles of <paramref name="values"/>.</summary>
    public static Percentiles Of(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return new Percentiles(0, 0, 0, 0, 0);
        }

        var sorted = values.Order().ToArray();
        return new Percentiles(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99), sorted[^1]);
    }

    /// <summary>One line: count and the percentiles.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Count} ops, p50 {P50:F2} ms, p95 {P95:F2} ms, p99 {P99:F2} ms, max {Max:F2} ms");

    // Nearest rank: the smallest value with at least q of the values at or below it.
    private static double Rank(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
