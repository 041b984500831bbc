namespace Cairn.Common.Codec;

/// <summary>The first byte of every datum in TiDB's key encoding (<c>util/codec</c> flags).</summary>
#pragma warning disable CA1028 // The wire format is one byte.
public enum DatumFlag : byte
#pragma warning restore CA1028
{
    /// <summary>SQL NULL; sorts before every other value.</summary>
    Nil = 0x00,

    /// <summary>Memcomparable bytes; also the encoding of the "smallest non-null" bound.</summary>
    Bytes = 0x01,

    /// <summary>Compact (length-prefixed) bytes, used in values, not keys.</summary>
    CompactBytes = 0x02,

    /// <summary>Comparable int64.</summary>
    Int = 0x03,

    /// <summary>Comparable uint64.</summary>
    Uint = 0x04,

    /// <summary>Comparable float64.</summary>
    Float = 0x05,

    /// <summary>MySQL decimal: precision, frac, then the binary decimal.</summary>
    Decimal = 0x06,

    /// <summary>Duration in nanoseconds as a comparable int64.</summary>
    Duration = 0x07,

    /// <summary>Zig-zag varint, used in values, not keys.</summary>
    Varint = 0x08,

    /// <summary>Unsigned varint, used in values, not keys.</summary>
    Uvarint = 0x09,

    /// <summary>JSON binary, used in values, not keys.</summary>
    Json = 0x0A,

    /// <summary>Upper bound; sorts after every other value.</summary>
    Max = 0xFA,
}
