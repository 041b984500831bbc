using System.Text.Json;

namespace Cairn.Client.Catalog;

/// <summary>JSON (de)serialization of catalog records with the TiDB field names.</summary>
public static class CatalogJson
{
    /// <summary>The serializer options used for every catalog value.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        WriteIndented = false,
    };

    /// <summary>Serializes a catalog record to UTF-8 JSON.</summary>
    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>Deserializes a catalog record from UTF-8 JSON.</summary>
    /// <exception cref="JsonException">The JSON does not describe a <typeparamref name="T"/>.</exception>
    public static T Deserialize<T>(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"null {typeof(T).Name}");
}
