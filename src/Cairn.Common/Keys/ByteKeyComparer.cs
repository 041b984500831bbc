namespace Cairn.Common.Keys;

/// <summary>
/// Orders and hashes byte keys by content, in unsigned lexicographic order (RocksDB's bytewise order, which every
/// region boundary and encoded key in Cairn follows).
/// </summary>
public sealed class ByteKeyComparer : IComparer<byte[]>, IEqualityComparer<byte[]>, IComparer<ReadOnlyMemory<byte>>
{
    /// <summary>The shared instance.</summary>
    public static readonly ByteKeyComparer Instance = new();

    private ByteKeyComparer()
    {
    }

    /// <summary>Compares two keys; a null array orders as the empty key.</summary>
    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);

    /// <inheritdoc/>
    public int Compare(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceCompareTo(y.Span);

    /// <summary>Whether two keys hold the same bytes; a null array equals the empty key.</summary>
    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    /// <inheritdoc/>
    public int GetHashCode(byte[] obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}
