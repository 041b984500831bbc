using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Cairn.Common.Codec;

namespace Cairn.Common.Keys;

/// <summary>
/// TiDB meta keys (<c>structure.TxStructure</c> under prefix <c>m</c>, br-spec §f.7): the structure key as
/// memcomparable bytes, then a type flag as an 8-byte big-endian uint, then for hashes the field as memcomparable
/// bytes and for lists the index as a comparable int64. Names of the well-known meta structures are included.
/// </summary>
public static class MetaKeys
{
    /// <summary>Prefix of every meta key.</summary>
    public const byte Prefix = (byte)'m';

    /// <summary>Type flag of a string's meta key.</summary>
    public const byte StringMetaFlag = (byte)'S';

    /// <summary>Type flag of a string value.</summary>
    public const byte StringDataFlag = (byte)'s';

    /// <summary>Type flag of a hash's meta key (holds the field count).</summary>
    public const byte HashMetaFlag = (byte)'H';

    /// <summary>Type flag of a hash field.</summary>
    public const byte HashDataFlag = (byte)'h';

    /// <summary>Type flag of a list's meta key (holds the left and right index).</summary>
    public const byte ListMetaFlag = (byte)'L';

    /// <summary>Type flag of a list item.</summary>
    public const byte ListDataFlag = (byte)'l';

    /// <summary>Hash of all databases: field <see cref="DatabaseField(long)"/> → DBInfo JSON.</summary>
    public const string Databases = "DBs";

    /// <summary>String holding the schema version as a decimal number.</summary>
    public const string SchemaVersionKey = "SchemaVersionKey";

    /// <summary>String holding the global id allocator as a decimal number.</summary>
    public const string NextGlobalId = "NextGlobalID";

    /// <summary>List of queued DDL jobs.</summary>
    public const string DdlJobList = "DDLJobList";

    /// <summary>List of queued add-index DDL jobs.</summary>
    public const string DdlJobAddIndexList = "DDLJobAddIdxList";

    /// <summary>Hash of finished DDL jobs, field = 8-byte big-endian job id.</summary>
    public const string DdlJobHistory = "DDLJobHistory";

    /// <summary>Field of <see cref="Databases"/> and name of the per-database hash: <c>DB:{id}</c>.</summary>
    public static string DatabaseField(long databaseId) => "DB:" + databaseId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Field of a database hash holding TableInfo JSON: <c>Table:{id}</c>.</summary>
    public static string TableField(long tableId) => "Table:" + tableId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Field holding a table's row-id / auto-increment allocator: <c>TID:{id}</c>.</summary>
    public static string AutoTableIdField(long tableId) => "TID:" + tableId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Field holding a table's separate auto-increment allocator (newer TiDB): <c>IID:{id}</c>.</summary>
    public static string AutoIncrementIdField(long tableId) => "IID:" + tableId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Field holding a table's auto-random allocator: <c>TARID:{id}</c>.</summary>
    public static string AutoRandomIdField(long tableId) => "TARID:" + tableId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Field holding a sequence's value: <c>SID:{id}</c>.</summary>
    public static string SequenceValueField(long sequenceId) => "SID:" + sequenceId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Field holding a sequence's cycle round: <c>SequenceCycle:{id}</c>.</summary>
    public static string SequenceCycleField(long sequenceId) => "SequenceCycle:" + sequenceId.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>m + EncodeBytes(key) + EncodeUint('s')</c>: the key holding a string's value.</summary>
    public static byte[] StringKey(ReadOnlySpan<byte> key) => StructureKey(key, StringDataFlag, []);

    /// <summary><see cref="StringKey(ReadOnlySpan{byte})"/> for a name given as text (UTF-8).</summary>
    public static byte[] StringKey(string key) => StringKey(Utf8(key));

    /// <summary><c>m + EncodeBytes(key) + EncodeUint('H')</c>: the key holding a hash's field count.</summary>
    public static byte[] HashMetaKey(ReadOnlySpan<byte> key) => StructureKey(key, HashMetaFlag, []);

    /// <summary><see cref="HashMetaKey(ReadOnlySpan{byte})"/> for a name given as text (UTF-8).</summary>
    public static byte[] HashMetaKey(string key) => HashMetaKey(Utf8(key));

    /// <summary>
    /// <c>m + EncodeBytes(key) + EncodeUint('h')</c>: the prefix shared by every field of a hash. Scanning
    /// <c>[prefix, PrefixNext(prefix))</c> lists the hash.
    /// </summary>
    public static byte[] HashFieldPrefix(ReadOnlySpan<byte> key) => StructureKey(key, HashDataFlag, []);

    /// <summary><see cref="HashFieldPrefix(ReadOnlySpan{byte})"/> for a name given as text (UTF-8).</summary>
    public static byte[] HashFieldPrefix(string key) => HashFieldPrefix(Utf8(key));

    /// <summary><c>m + EncodeBytes(key) + EncodeUint('h') + EncodeBytes(field)</c>: the key holding one hash field.</summary>
    public static byte[] HashFieldKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field)
    {
        var result = new byte[1 + MemComparable.EncodedLength(key.Length) + NumberCodec.Size + MemComparable.EncodedLength(field.Length)];
        var offset = WriteStructurePrefix(result, key, HashDataFlag);
        MemComparable.EncodeBytes(result.AsSpan(offset), field);
        return result;
    }

    /// <summary><see cref="HashFieldKey(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> for names given as text (UTF-8).</summary>
    public static byte[] HashFieldKey(string key, string field) => HashFieldKey(Utf8(key), Utf8(field));

    /// <summary><c>m + EncodeBytes(key) + EncodeUint('L')</c>: the key holding a list's bounds.</summary>
    public static byte[] ListMetaKey(ReadOnlySpan<byte> key) => StructureKey(key, ListMetaFlag, []);

    /// <summary><c>m + EncodeBytes(key) + EncodeUint('l') + EncodeInt(index)</c>: the key holding one list item.</summary>
    public static byte[] ListItemKey(ReadOnlySpan<byte> key, long index)
    {
        Span<byte> encodedIndex = stackalloc byte[NumberCodec.Size];
        NumberCodec.EncodeInt(encodedIndex, index);
        return StructureKey(key, ListDataFlag, encodedIndex);
    }

    /// <summary>Splits a hash field key into the structure key and the field.</summary>
    /// <exception cref="CodecException">The key is not a hash field key.</exception>
    public static (byte[] Key, byte[] Field) DecodeHashFieldKey(ReadOnlySpan<byte> metaKey)
    {
        var rest = DecodeStructureKey(metaKey, out var key, out var flag);
        if (flag != HashDataFlag)
        {
            throw new CodecException($"meta key has type flag 0x{flag:X2}, not a hash field");
        }

        return (key, MemComparable.DecodeBytes(rest));
    }

    /// <summary>
    /// Splits any meta key into the structure key and type flag; returns what follows the flag (the encoded field or
    /// list index, empty for meta and string keys).
    /// </summary>
    /// <exception cref="CodecException">The key is not a meta key.</exception>
    public static ReadOnlySpan<byte> DecodeStructureKey(ReadOnlySpan<byte> metaKey, out byte[] key, out byte flag)
    {
        if (metaKey.IsEmpty || metaKey[0] != Prefix)
        {
            throw new CodecException("meta key does not start with 'm'");
        }

        key = MemComparable.DecodeBytes(metaKey[1..], out var consumed);
        var rest = metaKey[(1 + consumed)..];
        var rawFlag = NumberCodec.DecodeUint(rest);
        if (rawFlag > byte.MaxValue)
        {
            throw new CodecException($"meta key has invalid type flag {rawFlag}");
        }

        flag = (byte)rawFlag;
        return rest[NumberCodec.Size..];
    }

    /// <summary>Value of a hash meta key: the field count as 8 big-endian bytes.</summary>
    public static byte[] EncodeHashMetaValue(long fieldCount)
    {
        var value = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(value, fieldCount);
        return value;
    }

    /// <summary>Reads a hash meta value; a missing value means an empty hash.</summary>
    public static long DecodeHashMetaValue(ReadOnlySpan<byte> value) =>
        value.IsEmpty ? 0 : (long)NumberCodec.DecodeUint(value);

    /// <summary>Value of a list meta key: left and right index as 8 big-endian bytes each.</summary>
    public static byte[] EncodeListMetaValue(long leftIndex, long rightIndex)
    {
        var value = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(value, leftIndex);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(8), rightIndex);
        return value;
    }

    /// <summary>Reads a list meta value; a missing value means an empty list.</summary>
    public static (long LeftIndex, long RightIndex) DecodeListMetaValue(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return (0, 0);
        }

        if (value.Length != 16)
        {
            throw new CodecException($"list meta value should be 16 bytes, got {value.Length}");
        }

        return ((long)NumberCodec.DecodeUint(value), (long)NumberCodec.DecodeUint(value[8..]));
    }

    private static byte[] StructureKey(ReadOnlySpan<byte> key, byte flag, ReadOnlySpan<byte> suffix)
    {
        var result = new byte[1 + MemComparable.EncodedLength(key.Length) + NumberCodec.Size + suffix.Length];
        var offset = WriteStructurePrefix(result, key, flag);
        suffix.CopyTo(result.AsSpan(offset));
        return result;
    }

    private static int WriteStructurePrefix(Span<byte> destination, ReadOnlySpan<byte> key, byte flag)
    {
        destination[0] = Prefix;
        var offset = 1 + MemComparable.EncodeBytes(destination[1..], key);
        NumberCodec.EncodeUint(destination[offset..], flag);
        return offset + NumberCodec.Size;
    }

    private static byte[] Utf8(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Encoding.UTF8.GetBytes(value);
    }
}
