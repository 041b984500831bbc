using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Client.Catalog;

/// <summary>A view's definition, serialized like TiDB's <c>model.ViewInfo</c>.</summary>
public sealed record ViewInfo
{
    /// <summary>Algorithm (0 = UNDEFINED).</summary>
    [JsonPropertyName("view_algorithm")]
    public int Algorithm { get; init; }

    /// <summary>SQL SECURITY (0 = DEFINER).</summary>
    [JsonPropertyName("view_security")]
    public int Security { get; init; }

    /// <summary>The SELECT text.</summary>
    [JsonPropertyName("view_select")]
    public required string Select { get; init; }

    /// <summary>CHECK OPTION (1 = CASCADED).</summary>
    [JsonPropertyName("view_checkoption")]
    public int CheckOption { get; init; } = 1;

    /// <summary>Column names of the view.</summary>
    [JsonPropertyName("view_cols")]
    public IReadOnlyList<CIStr>? Columns { get; init; }

    /// <summary>Tables and views the SELECT reads, as <c>db.name</c> (restore creates views after these).</summary>
    [JsonPropertyName("view_refs")]
    public IReadOnlyList<string>? References { get; init; }

    /// <summary>Fields not modelled here, kept so a round trip preserves them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
