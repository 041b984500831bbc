using System.Text.Json;
using System.Text.Json.Nodes;
using Cairn.Common;

namespace Cairn.Pd.Scheduling;

/// <summary>
/// PD's schedule configuration as the HTTP API exposes it (<c>/pd/api/v1/config/schedule</c>). br lowers merge and
/// schedule limits during a restore and puts the old values back afterwards; pd keeps the values in memory (a
/// restart returns to the defaults, as PD's TTL-limited settings do) and honours none of them except as reported.
/// Every item has a kind, and an update is checked against it, so a reader never finds <c>"many"</c> in a limit.
/// </summary>
internal sealed class ScheduleConfig
{
    private static readonly Dictionary<string, ItemKind> Kinds = new(StringComparer.Ordinal)
    {
        ["max-snapshot-count"] = ItemKind.Count,
        ["max-pending-peer-count"] = ItemKind.Count,
        ["max-merge-region-size"] = ItemKind.Count,
        ["max-merge-region-keys"] = ItemKind.Count,
        ["split-merge-interval"] = ItemKind.Duration,
        ["patrol-region-interval"] = ItemKind.Duration,
        ["max-store-down-time"] = ItemKind.Duration,
        ["leader-schedule-limit"] = ItemKind.Count,
        ["leader-schedule-policy"] = ItemKind.LeaderPolicy,
        ["region-schedule-limit"] = ItemKind.Count,
        ["replica-schedule-limit"] = ItemKind.Count,
        ["merge-schedule-limit"] = ItemKind.Count,
        ["hot-region-schedule-limit"] = ItemKind.Count,
        ["tolerant-size-ratio"] = ItemKind.Ratio,
        ["enable-location-replacement"] = ItemKind.Flag,
        ["enable-cross-table-merge"] = ItemKind.Flag,
    };

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
            ["max-store-down-time"] = GoDuration.Format(options.StoreDownTime),
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

    private enum ItemKind
    {
        Count,
        Ratio,
        Duration,
        Flag,
        LeaderPolicy,
    }

    public string ToJson()
    {
        lock (_lock)
        {
            return _values.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        }
    }

    /// <summary>
    /// Sets the given items, all or none: returns null when done, or a message naming the first item that is unknown
    /// or whose value is of the wrong type or out of range.
    /// </summary>
    public string? Update(JsonObject items)
    {
        var normalized = new List<(string Key, JsonNode Value)>();
        foreach (var (key, value) in items)
        {
            if (!Kinds.TryGetValue(key, out var kind))
            {
                return $"config item {key} not found";
            }

            if (Normalize(kind, value) is not { } node)
            {
                return $"config item {key}: {Expected(kind)}, got {Describe(value)}";
            }

            normalized.Add((key, node));
        }

        lock (_lock)
        {
            foreach (var (key, value) in normalized)
            {
                _values[key] = value;
            }
        }

        return null;
    }

    // The stored form of a valid value (flags keep PD's "true"/"false" strings), or null when it is not valid.
    private static JsonNode? Normalize(ItemKind kind, JsonNode? value)
    {
        if (value is not JsonValue v)
        {
            return null;
        }

        switch (kind)
        {
            case ItemKind.Count when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long count) && count >= 0:
                return JsonValue.Create(count);
            case ItemKind.Ratio when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double ratio) && ratio >= 0 && double.IsFinite(ratio):
                return JsonValue.Create(ratio);
            case ItemKind.Duration when v.TryGetValue(out string? text) && GoDuration.TryParse(text, out _):
                return JsonValue.Create(text);
            case ItemKind.Flag when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                return JsonValue.Create(v.GetValue<bool>() ? "true" : "false");
            case ItemKind.Flag when v.TryGetValue(out string? text) && text is "true" or "false":
                return JsonValue.Create(text);
            case ItemKind.LeaderPolicy when v.TryGetValue(out string? text) && text is "count" or "size":
                return JsonValue.Create(text);
            default:
                return null;
        }
    }

    private static string Expected(ItemKind kind) => kind switch
    {
        ItemKind.Count => "expected a whole number ≥ 0",
        ItemKind.Ratio => "expected a number ≥ 0",
        ItemKind.Duration => "expected a duration such as \"10m\" or \"1h0m0s\"",
        ItemKind.Flag => "expected true or false",
        _ => "expected \"count\" or \"size\"",
    };

    private static string Describe(JsonNode? value) => value is null ? "null" : value.ToJsonString();
}
