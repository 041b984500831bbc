using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cairn.Br.Crypto;

/// <summary>
/// <c>backup.crypter</c>, the side object of an encrypted backup (docs/backup-format.md): a small JSON object with
/// the method, the wrapped data key (master-key mode), a key check, and the HMAC-SHA256 of the stored
/// <c>backupmeta</c>, itself authenticated by a MAC over its other fields. BR does not know it and ignores it, so an
/// encrypted backup keeps BR's layout. It holds no key in clear.
/// </summary>
internal sealed class CrypterFile
{
    /// <summary>The object's name in the backup folder.</summary>
    public const string Name = "backup.crypter";

    private const string Format = "cairn-backup-crypter/1";

    public required string Method { get; init; }

    public required bool MasterKey { get; init; }

    public byte[]? WrappedKey { get; init; }

    public required byte[] KeyCheck { get; init; }

    public required long MetaSize { get; init; }

    public required byte[] MetaMac { get; init; }

    public byte[] Mac { get; init; } = [];

    /// <summary>The object for a backup whose stored backupmeta has <paramref name="metaSize"/> bytes and MAC <paramref name="metaMac"/>.</summary>
    public static CrypterFile For(MetaCipher cipher, long metaSize, byte[] metaMac)
    {
        var file = new CrypterFile
        {
            Method = cipher.MethodName,
            MasterKey = cipher.WrappedKey is not null,
            WrappedKey = cipher.WrappedKey,
            KeyCheck = cipher.KeyCheck(),
            MetaSize = metaSize,
            MetaMac = metaMac,
        };
        return new CrypterFile
        {
            Method = file.Method,
            MasterKey = file.MasterKey,
            WrappedKey = file.WrappedKey,
            KeyCheck = file.KeyCheck,
            MetaSize = metaSize,
            MetaMac = metaMac,
            Mac = cipher.Mac(file.Canonical()),
        };
    }

    /// <summary>Whether the object's own MAC holds under <paramref name="cipher"/>.</summary>
    public bool IsAuthentic(MetaCipher cipher) => CryptographicOperations.FixedTimeEquals(cipher.Mac(Canonical()), Mac);

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("method", Method);
            json.WriteString("key_mode", MasterKey ? "master-key" : "key");
            if (WrappedKey is not null)
            {
                json.WriteString("wrapped_data_key", Convert.ToBase64String(WrappedKey));
            }

            json.WriteString("key_check", Convert.ToBase64String(KeyCheck));
            json.WriteNumber("backupmeta_size", MetaSize);
            json.WriteString("backupmeta_mac", Convert.ToBase64String(MetaMac));
            json.WriteString("mac", Convert.ToBase64String(Mac));
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Parses the object; null when it is not one (the caller reports it as modified).</summary>
    public static CrypterFile? Parse(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.GetProperty("format").GetString() != Format)
            {
                return null;
            }

            var mode = root.GetProperty("key_mode").GetString();
            return new CrypterFile
            {
                Method = root.GetProperty("method").GetString() ?? "",
                MasterKey = mode == "master-key",
                WrappedKey = root.TryGetProperty("wrapped_data_key", out var wrapped) ? wrapped.GetBytesFromBase64() : null,
                KeyCheck = root.GetProperty("key_check").GetBytesFromBase64(),
                MetaSize = root.GetProperty("backupmeta_size").GetInt64(),
                MetaMac = root.GetProperty("backupmeta_mac").GetBytesFromBase64(),
                Mac = root.GetProperty("mac").GetBytesFromBase64(),
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    // What the object's MAC covers: every other field, in a fixed order, length-prefixed.
    private byte[] Canonical()
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Format);
            writer.Write(Method);
            writer.Write(MasterKey);
            writer.Write(WrappedKey?.Length ?? -1);
            writer.Write(WrappedKey ?? []);
            writer.Write(KeyCheck.Length);
            writer.Write(KeyCheck);
            writer.Write(MetaSize);
            writer.Write(MetaMac.Length);
            writer.Write(MetaMac);
        }

        return buffer.ToArray();
    }
}
