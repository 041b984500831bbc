namespace Cairn.Common.Codec;

/// <summary>What a <see cref="Datum"/> holds.</summary>
public enum DatumKind
{
    /// <summary>SQL NULL.</summary>
    Null,

    /// <summary>A signed 64-bit integer.</summary>
    Int64,

    /// <summary>An unsigned 64-bit integer.</summary>
    UInt64,

    /// <summary>A 64-bit float.</summary>
    Float64,

    /// <summary>A byte string (strings are their collation key or UTF-8 bytes).</summary>
    Bytes,

    /// <summary>A duration in nanoseconds.</summary>
    Duration,

    /// <summary>A decimal kept in its encoded form (precision, frac, binary).</summary>
    Decimal,

    /// <summary>The bound just above NULL (TiDB <c>KindMinNotNull</c>).</summary>
    MinNotNull,

    /// <summary>The bound above every value (TiDB <c>KindMaxValue</c>).</summary>
    MaxValue,
}
