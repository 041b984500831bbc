using System.Text.Json.Serialization;

namespace Cairn.Client.Catalog;

/// <summary>A name as TiDB stores it: the original spelling and its lower-case form (<c>{"O": …, "L": …}</c>).</summary>
public sealed record CIStr
{
    /// <summary>Creates a name from its original spelling.</summary>
    public CIStr(string o)
    {
        ArgumentNullException.ThrowIfNull(o);
        O = o;
        L = o.ToLowerInvariant();
    }

    /// <summary>The original spelling.</summary>
    [JsonPropertyName("O")]
    public string O { get; init; }

    /// <summary>The lower-case form, used for case-insensitive lookup.</summary>
    [JsonPropertyName("L")]
    public string L { get; init; }

    /// <inheritdoc/>
    public override string ToString() => O;
}
