using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Client.Catalog;

/// <summary>A column's type as TiDB serializes <c>types.FieldType</c> (capitalised keys, MySQL type codes).</summary>
public sealed record FieldType
{
    /// <summary>MySQL type code for <c>INT</c>.</summary>
    public const int TypeLong = 3;

    /// <summary>MySQL type code for <c>DOUBLE</c>.</summary>
    public const int TypeDouble = 5;

    /// <summary>MySQL type code for <c>BIGINT</c>.</summary>
    public const int TypeLongLong = 8;

    /// <summary>MySQL type code for <c>VARCHAR</c>.</summary>
    public const int TypeVarchar = 15;

    /// <summary>MySQL type code for <c>BLOB</c>.</summary>
    public const int TypeBlob = 252;

    /// <summary>Flag: NOT NULL.</summary>
    public const int NotNullFlag = 1;

    /// <summary>Flag: part of the primary key.</summary>
    public const int PriKeyFlag = 2;

    /// <summary>Flag: unsigned integer.</summary>
    public const int UnsignedFlag = 32;

    /// <summary>Flag: AUTO_INCREMENT.</summary>
    public const int AutoIncrementFlag = 512;

    /// <summary>MySQL type code (<c>mysql.Type*</c>).</summary>
    [JsonPropertyName("Tp")]
    public int Tp { get; init; } = TypeLongLong;

    /// <summary>MySQL column flags.</summary>
    [JsonPropertyName("Flag")]
    public int Flag { get; init; }

    /// <summary>Display length (-1 for unspecified).</summary>
    [JsonPropertyName("Flen")]
    public int Flen { get; init; } = -1;

    /// <summary>Fraction digits (-1 for unspecified).</summary>
    [JsonPropertyName("Decimal")]
    public int Decimal { get; init; } = -1;

    /// <summary>Character set.</summary>
    [JsonPropertyName("Charset")]
    public string Charset { get; init; } = "binary";

    /// <summary>Collation.</summary>
    [JsonPropertyName("Collate")]
    public string Collate { get; init; } = "binary";

    /// <summary>Enum/set elements.</summary>
    [JsonPropertyName("Elems")]
    public IReadOnlyList<string>? Elems { get; init; }

    /// <summary>Whether values of this type are integers (held as <c>Int64</c> datums).</summary>
    [JsonIgnore]
    public bool IsInteger => Tp is 1 or 2 or TypeLong or TypeLongLong or 9;

    /// <summary>Fields not modelled here, kept so a round trip preserves them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
