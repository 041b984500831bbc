using Cairn.Common.Codec;

namespace Cairn.Client.Tables;

/// <summary>
/// Cairn's compact row value (documented in <c>docs/row-format.md</c>): a version byte <c>0x01</c>, then for each
/// non-NULL column, in column order, the column id as a flag-encoded int datum followed by the value as a
/// flag-encoded datum (the memcomparable datum codec). NULL columns are left out. br treats the value as opaque.
/// </summary>
public static class RowCodec
{
    /// <summary>The version byte that starts every row value.</summary>
    public const byte Version = 0x01;

    /// <summary>Encodes column id → value pairs (NULL values are skipped).</summary>
    public static byte[] Encode(IEnumerable<KeyValuePair<long, Datum>> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var datums = new List<Datum>();
        foreach (var (id, value) in columns.OrderBy(c => c.Key))
        {
            if (value.IsNull)
            {
                continue;
            }

            datums.Add(Datum.FromInt64(id));
            datums.Add(value);
        }

        var body = DatumCodec.EncodeKey(datums.ToArray());
        var result = new byte[body.Length + 1];
        result[0] = Version;
        body.CopyTo(result, 1);
        return result;
    }

    /// <summary>Decodes a row value into column id → value (absent columns are NULL).</summary>
    /// <exception cref="CodecException">The value is not a Cairn row.</exception>
    public static Dictionary<long, Datum> Decode(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty || value[0] != Version)
        {
            throw new CodecException("not a Cairn row value");
        }

        var datums = DatumCodec.DecodeAll(value[1..]);
        if (datums.Length % 2 != 0)
        {
            throw new CodecException("row value has an odd number of datums");
        }

        var result = new Dictionary<long, Datum>(datums.Length / 2);
        for (var i = 0; i < datums.Length; i += 2)
        {
            result[datums[i].Int64] = datums[i + 1];
        }

        return result;
    }
}
