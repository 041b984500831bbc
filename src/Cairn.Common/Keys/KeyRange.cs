using Cairn.Common.Codec;

namespace Cairn.Common.Keys;

/// <summary>
/// A half-open key range <c>[Start, End)</c>. An empty <see cref="End"/> means "to the end of the key space".
/// Equality compares the bytes.
/// </summary>
public readonly struct KeyRange : IEquatable<KeyRange>
{
    /// <summary>Creates a range; the arrays are kept, not copied.</summary>
    public KeyRange(byte[] start, byte[] end)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        Start = start;
        End = end;
    }

    /// <summary>Inclusive lower bound.</summary>
    public byte[] Start { get; }

    /// <summary>Exclusive upper bound; empty means unbounded.</summary>
    public byte[] End { get; }

    /// <summary>True when <paramref name="key"/> lies in the range.</summary>
    public bool Contains(ReadOnlySpan<byte> key) =>
        KeyBytes.Compare(key, Start) >= 0 && (End.Length == 0 || KeyBytes.Compare(key, End) < 0);

    /// <inheritdoc/>
    public bool Equals(KeyRange other) =>
        (Start ?? []).AsSpan().SequenceEqual(other.Start ?? []) && (End ?? []).AsSpan().SequenceEqual(other.End ?? []);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is KeyRange other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Start ?? []);
        hash.AddBytes(End ?? []);
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => $"[{Convert.ToHexString(Start ?? [])}, {Convert.ToHexString(End ?? [])})";

    /// <summary>Equality by content.</summary>
    public static bool operator ==(KeyRange left, KeyRange right) => left.Equals(right);

    /// <summary>Inequality by content.</summary>
    public static bool operator !=(KeyRange left, KeyRange right) => !left.Equals(right);
}
