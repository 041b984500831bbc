using System.Globalization;
using System.Text;

namespace Cairn.Common.Codec;

/// <summary>
/// One value of an index or common-handle key column, as TiDB encodes it (<c>types.Datum</c> restricted to what keys
/// need). Equality compares byte strings by content.
/// </summary>
public readonly struct Datum : IEquatable<Datum>
{
    private readonly ulong _bits;
    private readonly byte[]? _bytes;

    private Datum(DatumKind kind, ulong bits, byte[]? bytes)
    {
        Kind = kind;
        _bits = bits;
        _bytes = bytes;
    }

    /// <summary>SQL NULL.</summary>
    public static Datum Null => default;

    /// <summary>The bound just above NULL; encodes as the bare bytes flag 0x01.</summary>
    public static Datum MinNotNull => new(DatumKind.MinNotNull, 0, null);

    /// <summary>The bound above every value; encodes as the bare flag 0xFA.</summary>
    public static Datum MaxValue => new(DatumKind.MaxValue, 0, null);

    /// <summary>What this datum holds.</summary>
    public DatumKind Kind { get; }

    /// <summary>True for SQL NULL.</summary>
    public bool IsNull => Kind == DatumKind.Null;

    /// <summary>The signed value (also valid for <see cref="DatumKind.Duration"/>, in nanoseconds).</summary>
    public long Int64 => Kind is DatumKind.Int64 or DatumKind.Duration ? (long)_bits : throw WrongKind(DatumKind.Int64);

    /// <summary>The unsigned value.</summary>
    public ulong UInt64 => Kind == DatumKind.UInt64 ? _bits : throw WrongKind(DatumKind.UInt64);

    /// <summary>The float value.</summary>
    public double Float64 => Kind == DatumKind.Float64 ? BitConverter.UInt64BitsToDouble(_bits) : throw WrongKind(DatumKind.Float64);

    /// <summary>The bytes (for <see cref="DatumKind.Decimal"/>, the encoded precision, frac and binary decimal).</summary>
    public ReadOnlySpan<byte> Bytes => Kind is DatumKind.Bytes or DatumKind.Decimal ? _bytes : throw WrongKind(DatumKind.Bytes);

    /// <summary>A signed integer datum.</summary>
    public static Datum FromInt64(long value) => new(DatumKind.Int64, (ulong)value, null);

    /// <summary>An unsigned integer datum.</summary>
    public static Datum FromUInt64(ulong value) => new(DatumKind.UInt64, value, null);

    /// <summary>A float datum.</summary>
    public static Datum FromFloat64(double value) => new(DatumKind.Float64, BitConverter.DoubleToUInt64Bits(value), null);

    /// <summary>A duration datum, in nanoseconds.</summary>
    public static Datum FromDuration(long nanoseconds) => new(DatumKind.Duration, (ulong)nanoseconds, null);

    /// <summary>A byte-string datum. The array is kept, not copied.</summary>
    public static Datum FromBytes(byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(DatumKind.Bytes, 0, value);
    }

    /// <summary>A byte-string datum holding a copy of <paramref name="value"/>.</summary>
    public static Datum FromBytes(ReadOnlySpan<byte> value) => new(DatumKind.Bytes, 0, value.ToArray());

    /// <summary>A string datum as UTF-8 bytes (binary collation: byte order is the sort order).</summary>
    public static Datum FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(DatumKind.Bytes, 0, Encoding.UTF8.GetBytes(value));
    }

    /// <summary>A decimal datum from its encoded form: precision byte, frac byte, then the binary decimal.</summary>
    /// <exception cref="CodecException">The length does not match precision and frac.</exception>
    public static Datum FromEncodedDecimal(ReadOnlySpan<byte> encoded)
    {
        var length = DatumCodec.DecimalEncodedLength(encoded);
        if (length != encoded.Length)
        {
            throw new CodecException($"decimal encoding should be {length} bytes, got {encoded.Length}");
        }

        return new(DatumKind.Decimal, 0, encoded.ToArray());
    }

    /// <inheritdoc/>
    public bool Equals(Datum other) =>
        Kind == other.Kind && _bits == other._bits &&
        (_bytes is null ? other._bytes is null : other._bytes is not null && _bytes.AsSpan().SequenceEqual(other._bytes));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Datum other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        hash.Add(_bits);
        if (_bytes is not null)
        {
            hash.AddBytes(_bytes);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        DatumKind.Null => "NULL",
        DatumKind.Int64 => ((long)_bits).ToString(CultureInfo.InvariantCulture),
        DatumKind.UInt64 => _bits.ToString(CultureInfo.InvariantCulture),
        DatumKind.Float64 => BitConverter.UInt64BitsToDouble(_bits).ToString("R", CultureInfo.InvariantCulture),
        DatumKind.Duration => $"{(long)_bits}ns",
        DatumKind.Bytes => "0x" + Convert.ToHexString(_bytes!),
        DatumKind.Decimal => "decimal:0x" + Convert.ToHexString(_bytes!),
        DatumKind.MinNotNull => "MinNotNull",
        _ => "MaxValue",
    };

    /// <summary>Equality by kind and content.</summary>
    public static bool operator ==(Datum left, Datum right) => left.Equals(right);

    /// <summary>Inequality by kind and content.</summary>
    public static bool operator !=(Datum left, Datum right) => !left.Equals(right);

    private InvalidOperationException WrongKind(DatumKind wanted) =>
        new($"datum holds {Kind}, not {wanted}");
}
