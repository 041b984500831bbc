using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Cairn.Br.Debug;

/// <summary>
/// The JSON form of backupmeta (and of any brpb message, such as a v2 meta file) that <c>br debug decode</c> writes and
/// <c>br debug encode</c> reads, laid out as BR's: proto field names, fields at their default left out, 64-bit numbers
/// as JSON numbers, enums as numbers, <c>sha256</c>/<c>start_key</c>/<c>end_key</c> as hex, the TiDB JSON held in
/// <c>Schema.db</c>/<c>table</c>/<c>stats</c> and the DDL jobs embedded as JSON, other bytes as base64.
/// </summary>
public static class BackupMetaJson
{
    private static readonly HashSet<string> HexFields = ["sha256", "start_key", "end_key"];

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Formats <paramref name="message"/> as indented JSON (UTF-8).</summary>
    public static byte[] Format(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteMessage(writer, message);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads a message of type <typeparamref name="T"/> from its JSON form. Throws <see cref="FormatException"/>
    /// naming the field that is unknown or holds a value of the wrong kind.
    /// </summary>
    public static T Parse<T>(ReadOnlyMemory<byte> json)
        where T : IMessage<T>, new()
    {
        var message = new T();
        try
        {
            using var document = JsonDocument.Parse(json);
            ReadMessage(document.RootElement, message, message.Descriptor.Name);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not valid JSON: {e.Message}", e);
        }
        return message;
    }

    /// <summary>
    /// One field of <paramref name="message"/> as text: a scalar as its value, a list or message as JSON. The name may
    /// be the proto name (<c>end_version</c>), dashed (<c>end-version</c>) or C# style (<c>EndVersion</c>). Throws
    /// <see cref="ArgumentException"/> listing the field names when there is no such field.
    /// </summary>
    public static string FormatField(IMessage message, string name)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var field = FindField(message.Descriptor, name)
            ?? throw new ArgumentException($"{message.Descriptor.Name} has no field '{name}'; fields: {string.Join(", ", message.Descriptor.Fields.InFieldNumberOrder().Select(f => f.Name))}", nameof(name));
        var value = field.Accessor.GetValue(message);
        if (field.IsRepeated || field.FieldType == FieldType.Message)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                if (value is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    WriteFieldValue(writer, field, value, message.Descriptor.Name);
                }
            }
            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        return value switch
        {
            ByteString bytes => BytesText(field, message.Descriptor.Name, bytes),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }

    private static FieldDescriptor? FindField(MessageDescriptor descriptor, string name)
    {
        var snake = new StringBuilder();
        foreach (var c in name.Trim())
        {
            if (char.IsAsciiLetterUpper(c))
            {
                if (snake.Length > 0)
                {
                    snake.Append('_');
                }
                snake.Append(char.ToLowerInvariant(c));
            }
            else
            {
                snake.Append(c == '-' ? '_' : c);
            }
        }
        return descriptor.FindFieldByName(snake.ToString()) ?? descriptor.FindFieldByName(name);
    }

    private static void WriteMessage(Utf8JsonWriter writer, IMessage message)
    {
        writer.WriteStartObject();
        var owner = message.Descriptor.Name;
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (IsDefault(field, value))
            {
                continue;
            }
            writer.WritePropertyName(field.Name);
            WriteFieldValue(writer, field, value, owner);
        }
        writer.WriteEndObject();
    }

    private static void WriteFieldValue(Utf8JsonWriter writer, FieldDescriptor field, object value, string owner)
    {
        if (field.IsMap)
        {
            var valueField = field.MessageType.FindFieldByNumber(2);
            writer.WriteStartObject();
            foreach (DictionaryEntry entry in (IDictionary)value)
            {
                writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!);
                WriteSingle(writer, valueField, entry.Value!, owner);
            }
            writer.WriteEndObject();
        }
        else if (field.IsRepeated)
        {
            writer.WriteStartArray();
            foreach (var item in (IList)value)
            {
                WriteSingle(writer, field, item, owner);
            }
            writer.WriteEndArray();
        }
        else
        {
            WriteSingle(writer, field, value, owner);
        }
    }

    private static void WriteSingle(Utf8JsonWriter writer, FieldDescriptor field, object value, string owner)
    {
        switch (field.FieldType)
        {
            case FieldType.Message:
                WriteMessage(writer, (IMessage)value);
                break;
            case FieldType.Bytes:
                var bytes = (ByteString)value;
                if (IsJsonField(field, owner) && IsJson(bytes))
                {
                    writer.WriteRawValue(bytes.Span, skipInputValidation: true);
                }
                else
                {
                    writer.WriteStringValue(BytesText(field, owner, bytes));
                }
                break;
            case FieldType.String:
                writer.WriteStringValue((string)value);
                break;
            case FieldType.Bool:
                writer.WriteBooleanValue((bool)value);
                break;
            case FieldType.Enum:
                writer.WriteNumberValue(Convert.ToInt32(value, CultureInfo.InvariantCulture));
                break;
            case FieldType.Double:
                writer.WriteNumberValue((double)value);
                break;
            case FieldType.Float:
                writer.WriteNumberValue((float)value);
                break;
            case FieldType.UInt64 or FieldType.Fixed64:
                writer.WriteNumberValue((ulong)value);
                break;
            case FieldType.UInt32 or FieldType.Fixed32:
                writer.WriteNumberValue((uint)value);
                break;
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64:
                writer.WriteNumberValue((long)value);
                break;
            default:
                writer.WriteNumberValue((int)value);
                break;
        }
    }

    private static string BytesText(FieldDescriptor field, string owner, ByteString bytes) =>
        HexFields.Contains(field.Name) ? Convert.ToHexStringLower(bytes.Span)
        : IsJsonField(field, owner) && IsJson(bytes) ? bytes.ToStringUtf8()
        : bytes.ToBase64();

    /// <summary>Bytes fields that hold TiDB JSON: the schema's DBInfo/TableInfo/stats and the DDL jobs.</summary>
    private static bool IsJsonField(FieldDescriptor field, string owner) =>
        (owner == "Schema" && field.Name is "db" or "table" or "stats") || (field.Name == "ddls" && owner is "BackupMeta" or "MetaFile");

    private static bool IsJson(ByteString bytes)
    {
        if (bytes.IsEmpty)
        {
            return false;
        }
        var reader = new Utf8JsonReader(bytes.Span);
        try
        {
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsDefault(FieldDescriptor field, object? value) => value switch
    {
        null => true,
        IList list => list.Count == 0,
        IDictionary map => map.Count == 0,
        string s => s.Length == 0,
        ByteString b => b.IsEmpty,
        bool b => !b,
        IMessage => false,
        _ => field.FieldType == FieldType.Enum ? Convert.ToInt64(value, CultureInfo.InvariantCulture) == 0 : Convert.ToDouble(value, CultureInfo.InvariantCulture) == 0,
    };

    private static void ReadMessage(JsonElement json, IMessage message, string path)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path}: expected a JSON object, found {json.ValueKind}");
        }
        var descriptor = message.Descriptor;
        foreach (var property in json.EnumerateObject())
        {
            var field = descriptor.FindFieldByName(property.Name)
                ?? descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == property.Name)
                ?? throw new FormatException($"{path}: unknown field '{property.Name}' in {descriptor.Name}");
            var fieldPath = path + "." + field.Name;
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }
            if (field.IsMap)
            {
                var map = (IDictionary)field.Accessor.GetValue(message);
                var keyField = field.MessageType.FindFieldByNumber(1);
                var valueField = field.MessageType.FindFieldByNumber(2);
                foreach (var entry in Expect(value, JsonValueKind.Object, fieldPath).EnumerateObject())
                {
                    var key = keyField.FieldType == FieldType.String ? entry.Name : ReadScalarText(keyField, entry.Name, fieldPath);
                    map[key] = ReadSingle(entry.Value, valueField, descriptor.Name, fieldPath + "." + entry.Name);
                }
            }
            else if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                var i = 0;
                foreach (var item in Expect(value, JsonValueKind.Array, fieldPath).EnumerateArray())
                {
                    list.Add(ReadSingle(item, field, descriptor.Name, $"{fieldPath}[{i++}]"));
                }
            }
            else
            {
                field.Accessor.SetValue(message, ReadSingle(value, field, descriptor.Name, fieldPath));
            }
        }
    }

    private static JsonElement Expect(JsonElement value, JsonValueKind kind, string path) =>
        value.ValueKind == kind ? value : throw new FormatException($"{path}: expected a JSON {kind.ToString().ToLowerInvariant()}, found {value.ValueKind.ToString().ToLowerInvariant()}");

    private static object ReadSingle(JsonElement value, FieldDescriptor field, string owner, string path)
    {
        try
        {
            switch (field.FieldType)
            {
                case FieldType.Message:
                    var child = (IMessage)Activator.CreateInstance(field.MessageType.ClrType)!;
                    ReadMessage(value, child, path);
                    return child;
                case FieldType.Bytes:
                    if (IsJsonField(field, owner) && value.ValueKind != JsonValueKind.String)
                    {
                        return ByteString.CopyFromUtf8(value.GetRawText());
                    }
                    var text = Expect(value, JsonValueKind.String, path).GetString()!;
                    return HexFields.Contains(field.Name) ? ByteString.CopyFrom(Convert.FromHexString(text)) : ByteString.FromBase64(text);
                case FieldType.String:
                    return Expect(value, JsonValueKind.String, path).GetString()!;
                case FieldType.Bool:
                    return value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw new FormatException($"{path}: expected true or false"),
                    };
                case FieldType.Enum:
                    if (value.ValueKind == JsonValueKind.String)
                    {
                        var named = field.EnumType.FindValueByName(value.GetString()!) ?? throw new FormatException($"{path}: unknown {field.EnumType.Name} value '{value.GetString()}'");
                        return Enum.ToObject(field.EnumType.ClrType, named.Number);
                    }
                    return Enum.ToObject(field.EnumType.ClrType, value.GetInt32());
                default:
                    return value.ValueKind == JsonValueKind.String
                        ? ReadScalarText(field, value.GetString()!, path)
                        : ReadNumber(field, value);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException && e.Message.IndexOf(path, StringComparison.Ordinal) < 0)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    private static object ReadNumber(FieldDescriptor field, JsonElement value) => field.FieldType switch
    {
        FieldType.UInt64 or FieldType.Fixed64 => (object)value.GetUInt64(),
        FieldType.UInt32 or FieldType.Fixed32 => (object)value.GetUInt32(),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => (object)value.GetInt64(),
        FieldType.Double => (object)value.GetDouble(),
        FieldType.Float => (object)value.GetSingle(),
        _ => (object)value.GetInt32(),
    };

    private static object ReadScalarText(FieldDescriptor field, string text, string path)
    {
        try
        {
            return field.FieldType switch
            {
                FieldType.UInt64 or FieldType.Fixed64 => (object)ulong.Parse(text, CultureInfo.InvariantCulture),
                FieldType.UInt32 or FieldType.Fixed32 => (object)uint.Parse(text, CultureInfo.InvariantCulture),
                FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => (object)long.Parse(text, CultureInfo.InvariantCulture),
                FieldType.Double => (object)double.Parse(text, CultureInfo.InvariantCulture),
                FieldType.Float => (object)float.Parse(text, CultureInfo.InvariantCulture),
                FieldType.Bool => (object)bool.Parse(text),
                _ => (object)int.Parse(text, CultureInfo.InvariantCulture),
            };
        }
        catch (OverflowException e)
        {
            throw new FormatException($"{path}: '{text}' is out of range", e);
        }
    }
}
