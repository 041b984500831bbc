using Cairn.Common.Codec;

namespace Cairn.Common.Keys;

/// <summary>
/// TiDB table keys in raw (not memcomparable) form: <c>t{tableId}_r{handle}</c> for rows and
/// <c>t{tableId}_i{indexId}{values}</c> for index entries, with ids as comparable int64 (TiDB <c>tablecodec</c>).
/// </summary>
public static class TableCodec
{
    /// <summary>First byte of every table key.</summary>
    public const byte TablePrefixByte = (byte)'t';

    /// <summary>Length of <c>t{tableId}</c>.</summary>
    public const int TablePrefixLength = 1 + NumberCodec.Size;

    /// <summary>Length of <c>t{tableId}_r</c> and <c>t{tableId}_i</c>.</summary>
    public const int RecordPrefixLength = TablePrefixLength + 2;

    /// <summary>Length of a record key with an int handle.</summary>
    public const int RecordKeyLength = RecordPrefixLength + NumberCodec.Size;

    /// <summary>Length of <c>t{tableId}_i{indexId}</c>.</summary>
    public const int IndexPrefixLength = RecordPrefixLength + NumberCodec.Size;

    private const byte Separator = (byte)'_';
    private const byte RecordMark = (byte)'r';
    private const byte IndexMark = (byte)'i';

    /// <summary>Writes <c>t{tableId}</c> (9 bytes).</summary>
    public static int WriteTablePrefix(Span<byte> destination, long tableId)
    {
        destination[0] = TablePrefixByte;
        NumberCodec.EncodeInt(destination[1..], tableId);
        return TablePrefixLength;
    }

    /// <summary>Returns <c>t{tableId}</c>.</summary>
    public static byte[] TablePrefix(long tableId)
    {
        var key = new byte[TablePrefixLength];
        WriteTablePrefix(key, tableId);
        return key;
    }

    /// <summary>Writes <c>t{tableId}_r</c> (11 bytes).</summary>
    public static int WriteRecordPrefix(Span<byte> destination, long tableId)
    {
        WriteTablePrefix(destination, tableId);
        destination[TablePrefixLength] = Separator;
        destination[TablePrefixLength + 1] = RecordMark;
        return RecordPrefixLength;
    }

    /// <summary>Returns <c>t{tableId}_r</c>.</summary>
    public static byte[] RecordPrefix(long tableId)
    {
        var key = new byte[RecordPrefixLength];
        WriteRecordPrefix(key, tableId);
        return key;
    }

    /// <summary>Writes the record key of an int handle, <c>t{tableId}_r{EncodeInt(handle)}</c> (19 bytes).</summary>
    public static int WriteRecordKey(Span<byte> destination, long tableId, long handle)
    {
        WriteRecordPrefix(destination, tableId);
        NumberCodec.EncodeInt(destination[RecordPrefixLength..], handle);
        return RecordKeyLength;
    }

    /// <summary>Returns the record key of an int handle.</summary>
    public static byte[] EncodeRecordKey(long tableId, long handle)
    {
        var key = new byte[RecordKeyLength];
        WriteRecordKey(key, tableId, handle);
        return key;
    }

    /// <summary>Returns the record key of a common (clustered) handle: <c>t{tableId}_r</c> + the datum-encoded key columns.</summary>
    public static byte[] EncodeRecordKey(long tableId, params ReadOnlySpan<Datum> handleColumns)
    {
        var key = new byte[RecordPrefixLength + DatumCodec.EncodedKeyLength(handleColumns)];
        WriteRecordPrefix(key, tableId);
        DatumCodec.EncodeKey(key.AsSpan(RecordPrefixLength), handleColumns);
        return key;
    }

    /// <summary>Returns <c>t{tableId}_r</c> + an already encoded handle (int or common).</summary>
    public static byte[] EncodeRecordKeyWithEncodedHandle(long tableId, ReadOnlySpan<byte> encodedHandle)
    {
        var key = new byte[RecordPrefixLength + encodedHandle.Length];
        WriteRecordPrefix(key, tableId);
        encodedHandle.CopyTo(key.AsSpan(RecordPrefixLength));
        return key;
    }

    /// <summary>Writes <c>t{tableId}_i{EncodeInt(indexId)}</c> (19 bytes).</summary>
    public static int WriteIndexPrefix(Span<byte> destination, long tableId, long indexId)
    {
        WriteTablePrefix(destination, tableId);
        destination[TablePrefixLength] = Separator;
        destination[TablePrefixLength + 1] = IndexMark;
        NumberCodec.EncodeInt(destination[RecordPrefixLength..], indexId);
        return IndexPrefixLength;
    }

    /// <summary>Returns <c>t{tableId}_i{EncodeInt(indexId)}</c>.</summary>
    public static byte[] IndexPrefix(long tableId, long indexId)
    {
        var key = new byte[IndexPrefixLength];
        WriteIndexPrefix(key, tableId, indexId);
        return key;
    }

    /// <summary>Returns an index key: the index prefix followed by the datum-encoded column values (unique index form).</summary>
    public static byte[] EncodeIndexKey(long tableId, long indexId, params ReadOnlySpan<Datum> values)
    {
        var key = new byte[IndexPrefixLength + DatumCodec.EncodedKeyLength(values)];
        WriteIndexPrefix(key, tableId, indexId);
        DatumCodec.EncodeKey(key.AsSpan(IndexPrefixLength), values);
        return key;
    }

    /// <summary>
    /// Returns a non-unique index key for an int handle: index prefix, datum-encoded values, then the handle as an int
    /// datum, so that equal values still give distinct keys.
    /// </summary>
    public static byte[] EncodeIndexKey(long tableId, long indexId, ReadOnlySpan<Datum> values, long handle)
    {
        var valuesLength = DatumCodec.EncodedKeyLength(values);
        var key = new byte[IndexPrefixLength + valuesLength + 1 + NumberCodec.Size];
        WriteIndexPrefix(key, tableId, indexId);
        DatumCodec.EncodeKey(key.AsSpan(IndexPrefixLength), values);
        DatumCodec.EncodeIntDatum(key.AsSpan(IndexPrefixLength + valuesLength), handle);
        return key;
    }

    /// <summary>
    /// Returns a non-unique index key for a common handle: index prefix, datum-encoded values, then the datum-encoded
    /// handle columns.
    /// </summary>
    public static byte[] EncodeIndexKey(long tableId, long indexId, ReadOnlySpan<Datum> values, ReadOnlySpan<Datum> handleColumns)
    {
        var valuesLength = DatumCodec.EncodedKeyLength(values);
        var key = new byte[IndexPrefixLength + valuesLength + DatumCodec.EncodedKeyLength(handleColumns)];
        WriteIndexPrefix(key, tableId, indexId);
        DatumCodec.EncodeKey(key.AsSpan(IndexPrefixLength), values);
        DatumCodec.EncodeKey(key.AsSpan(IndexPrefixLength + valuesLength), handleColumns);
        return key;
    }

    /// <summary>
    /// The table id of a table key, or 0 when <paramref name="key"/> is not one (does not start with <c>t</c> or is
    /// shorter than 9 bytes), as TiDB's <c>DecodeTableID</c>.
    /// </summary>
    public static long DecodeTableId(ReadOnlySpan<byte> key) =>
        key.Length >= TablePrefixLength && key[0] == TablePrefixByte ? NumberCodec.DecodeInt(key[1..]) : 0;

    /// <summary>True when <paramref name="key"/> starts with <c>t{id}_r</c>.</summary>
    public static bool IsRecordKey(ReadOnlySpan<byte> key) =>
        key.Length >= RecordPrefixLength && key[0] == TablePrefixByte &&
        key[TablePrefixLength] == Separator && key[TablePrefixLength + 1] == RecordMark;

    /// <summary>True when <paramref name="key"/> starts with <c>t{id}_i</c>.</summary>
    public static bool IsIndexKey(ReadOnlySpan<byte> key) =>
        key.Length >= RecordPrefixLength && key[0] == TablePrefixByte &&
        key[TablePrefixLength] == Separator && key[TablePrefixLength + 1] == IndexMark;

    /// <summary>Splits an int-handle record key into table id and handle.</summary>
    /// <exception cref="CodecException">The key is not a 19-byte record key.</exception>
    public static (long TableId, long Handle) DecodeRecordKey(ReadOnlySpan<byte> key)
    {
        if (!TryDecodeRecordKey(key, out var tableId, out var handle))
        {
            throw new CodecException($"not an int-handle record key: {Convert.ToHexString(key)}");
        }

        return (tableId, handle);
    }

    /// <summary>Tries to split an int-handle record key (exactly 19 bytes) into table id and handle.</summary>
    public static bool TryDecodeRecordKey(ReadOnlySpan<byte> key, out long tableId, out long handle)
    {
        if (key.Length != RecordKeyLength || !IsRecordKey(key))
        {
            tableId = 0;
            handle = 0;
            return false;
        }

        tableId = NumberCodec.DecodeInt(key[1..]);
        handle = NumberCodec.DecodeInt(key[RecordPrefixLength..]);
        return true;
    }

    /// <summary>
    /// Splits a record key into table id and the encoded handle that follows <c>t{id}_r</c> (8 bytes for an int
    /// handle, datum-encoded columns for a common handle).
    /// </summary>
    /// <exception cref="CodecException">The key is not a record key.</exception>
    public static long DecodeRecordKey(ReadOnlySpan<byte> key, out ReadOnlySpan<byte> encodedHandle)
    {
        if (!IsRecordKey(key))
        {
            throw new CodecException($"not a record key: {Convert.ToHexString(key)}");
        }

        encodedHandle = key[RecordPrefixLength..];
        return NumberCodec.DecodeInt(key[1..]);
    }

    /// <summary>Splits an index key into table id, index id and the encoded values that follow the prefix.</summary>
    /// <exception cref="CodecException">The key is not an index key.</exception>
    public static (long TableId, long IndexId) DecodeIndexKey(ReadOnlySpan<byte> key, out ReadOnlySpan<byte> encodedValues)
    {
        if (key.Length < IndexPrefixLength || !IsIndexKey(key))
        {
            throw new CodecException($"not an index key: {Convert.ToHexString(key)}");
        }

        encodedValues = key[IndexPrefixLength..];
        return (NumberCodec.DecodeInt(key[1..]), NumberCodec.DecodeInt(key[RecordPrefixLength..]));
    }

    /// <summary>Every key of a table, rows and indexes: <c>[t{id}, PrefixNext(t{id}))</c>.</summary>
    public static KeyRange TableRange(long tableId)
    {
        var start = TablePrefix(tableId);
        return new KeyRange(start, KeyBytes.PrefixNext(start));
    }

    /// <summary>
    /// The record range br backs up for a table (br-spec §b.8). Int handles:
    /// <c>[t{id}_r + EncodeInt(MinInt64), t{id}_r + PrefixNext(EncodeInt(MaxInt64)))</c>, whose upper bound is
    /// <c>t{id}_r FF×8 00</c> because the all-0xFF handle overflows and PrefixNext appends 0x00. Common handles:
    /// <c>[t{id}_r 01, t{id}_r FB)</c> (MinNotNull flag to PrefixNext of the MaxValue flag).
    /// </summary>
    public static KeyRange RecordRange(long tableId, bool isCommonHandle = false)
    {
        byte[] start;
        byte[] end;
        if (isCommonHandle)
        {
            start = new byte[RecordPrefixLength + 1];
            end = new byte[RecordPrefixLength + 1];
            WriteRecordPrefix(start, tableId);
            WriteRecordPrefix(end, tableId);
            start[RecordPrefixLength] = (byte)DatumFlag.Bytes;
            end[RecordPrefixLength] = (byte)DatumFlag.Max + 1;
        }
        else
        {
            start = EncodeRecordKey(tableId, long.MinValue);
            end = new byte[RecordKeyLength + 1];
            var written = WriteRecordPrefix(end, tableId);
            written += KeyBytes.PrefixNext(NumberCodec.EncodeInt(long.MaxValue), end.AsSpan(written));
            System.Diagnostics.Debug.Assert(written == end.Length, "PrefixNext of the max handle appends one byte");
        }

        return new KeyRange(start, end);
    }

    /// <summary>The range of one index: <c>[t{id}_i{idx} 00, t{id}_i{idx} FB)</c> (NULL flag to PrefixNext of the MaxValue flag).</summary>
    public static KeyRange IndexRange(long tableId, long indexId)
    {
        var start = new byte[IndexPrefixLength + 1];
        var end = new byte[IndexPrefixLength + 1];
        WriteIndexPrefix(start, tableId, indexId);
        WriteIndexPrefix(end, tableId, indexId);
        start[IndexPrefixLength] = (byte)DatumFlag.Nil;
        end[IndexPrefixLength] = (byte)DatumFlag.Max + 1;
        return new KeyRange(start, end);
    }
}
