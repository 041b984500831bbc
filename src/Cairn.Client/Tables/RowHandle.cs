using System.Buffers.Binary;
using Cairn.Common.Codec;
using Cairn.Common.Keys;

namespace Cairn.Client.Tables;

/// <summary>A row's handle: an int handle, or the clustered primary-key values of a common-handle table.</summary>
public readonly record struct RowHandle(long Int, Datum[]? Common)
{
    /// <summary>Whether this is a common (clustered, non-int) handle.</summary>
    public bool IsCommon => Common is not null;

    /// <summary>The record key of this handle in a physical table.</summary>
    public byte[] RecordKey(long physicalId) =>
        Common is { } columns ? TableCodec.EncodeRecordKey(physicalId, columns) : TableCodec.EncodeRecordKey(physicalId, Int);

    /// <summary>The value a unique index entry holds: the 8-byte handle or the encoded common handle.</summary>
    public byte[] IndexValue()
    {
        if (Common is { } columns)
        {
            return DatumCodec.EncodeKey(columns);
        }

        var value = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(value, Int);
        return value;
    }

    /// <summary>Reads a handle back from a unique index entry's value.</summary>
    public static RowHandle FromIndexValue(ReadOnlySpan<byte> value, bool common) =>
        common ? new RowHandle(0, DatumCodec.DecodeAll(value)) : new RowHandle(BinaryPrimitives.ReadInt64BigEndian(value), null);

    /// <summary>Equal when both are the same int handle or hold equal common-handle values.</summary>
    public bool Equals(RowHandle other) =>
        Common is { } mine ? other.Common is { } theirs && mine.AsSpan().SequenceEqual(theirs) : other.Common is null && Int == other.Int;

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        if (Common is not { } columns)
        {
            return Int.GetHashCode();
        }

        var hash = new HashCode();
        foreach (var column in columns)
        {
            hash.Add(column);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => Common is { } c ? "(" + string.Join(", ", c) + ")" : Int.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
