using System.Globalization;

namespace Cairn.Workloads;

/// <summary>
/// Operation counts and latency percentiles (milliseconds, nearest rank) of a foreground run: all operations, and
/// point selects and updates apart.
/// </summary>
public sealed record LatencyReport(long Selects, long Updates, long Errors, TimeSpan Elapsed, Percentiles All, Percentiles Select, Percentiles Update)
{
    /// <summary>Successful operations.</summary>
    public long Ops => Selects + Updates;

    /// <summary>Builds the report from the recorded latencies.</summary>
    public static LatencyReport From(List<double> selects, List<double> updates, long errors, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(selects);
        ArgumentNullException.ThrowIfNull(updates);
        return new LatencyReport(selects.Count, updates.Count, errors, elapsed, Percentiles.Of([.. selects, .. updates]), Percentiles.Of(selects), Percentiles.Of(updates));
    }

    /// <summary>The lines printed for people, then one machine-readable line starting <c>latency:</c>.</summary>
    public IEnumerable<string> Lines()
    {
        var seconds = Elapsed.TotalSeconds;
        yield return string.Create(CultureInfo.InvariantCulture, $"{Ops} operations ({Selects} point selects, {Updates} updates) and {Errors} errors in {seconds:F1} s: {(seconds > 0 ? Ops / seconds : 0):F0} ops/s");
        yield return "all:    " + All.Describe();
        yield return "select: " + Select.Describe();
        yield return "update: " + Update.Describe();
        yield return string.Create(CultureInfo.InvariantCulture,
            $"latency: ops={Ops} errors={Errors} seconds={seconds:F1} p50_ms={All.P50:F3} p95_ms={All.P95:F3} p99_ms={All.P99:F3} max_ms={All.Max:F3} select_p99_ms={Select.P99:F3} update_p99_ms={Update.P99:F3}");
    }
}
