using System.Globalization;
using System.Text.Json.Nodes;

namespace Cairn.Pd;

/// <summary>
/// PD's schedule configuration as the HTTP API exposes it (<c>/pd/api/v1/config/schedule</c>). br lowers merge and
/// schedule limits during a restore and puts the old values back afterwards; pd keeps the values in memory (a
/// restart returns to the defaults, as PD's TTL-limited settings do) and honours none of them except as reported.
/// </summary>
internal sealed class ScheduleConfig
{
    private readonly Lock _lock = new();
    private readonly JsonObject _values;

    public ScheduleConfig(PdServerOptions options)
    {
        _values = new JsonObject
        {
            ["max-snapshot-count"] = 64,
            ["max-pending-peer-count"] = 64,
            ["max-merge-region-size"] = 20,
            ["max-merge-region-keys"] = 200000,
            ["split-merge-interval"] = "1h0m0s",
            ["patrol-region-interval"] = "10ms",
            ["max-store-down-time"] = GoDuration(options.StoreDownTime),
            ["leader-schedule-limit"] = 4,
            ["leader-schedule-policy"] = "count",
            ["region-schedule-limit"] = 2048,
            ["replica-schedule-limit"] = 64,
            ["merge-schedule-limit"] = 8,
            ["hot-region-schedule-limit"] = 4,
            ["tolerant-size-ratio"] = 0,
            ["enable-location-replacement"] = "true",
            ["enable-cross-table-merge"] = "true",
        };
    }

    public string ToJson()
    {
        lock (_lock)
        {
            return _values.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        }
    }

    /// <summary>Sets the given items; returns the first unknown key (nothing is changed then), or null.</summary>
    public string? Update(JsonObject items)
    {
        lock (_lock)
        {
            foreach (var (key, _) in items)
            {
                if (!_values.ContainsKey(key))
                {
                    return key;
                }
            }

            foreach (var (key, value) in items)
            {
                _values[key] = value?.DeepClone();
            }

            return null;
        }
    }

    private static string GoDuration(TimeSpan value) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)value.TotalHours}h{value.Minutes}m{value.Seconds}s");
}
