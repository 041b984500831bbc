namespace Cairn.Common.Hashing;

/// <summary>
/// The checksum br and TiKV compare for a set of key-value pairs (br-spec §g): the XOR of
/// <c>crc64(key ‖ value)</c> over all pairs, the pair count and the total of key and value lengths. XOR and sums make
/// it independent of order, so partial checksums of disjoint sets can be merged.
/// </summary>
/// <param name="Crc64Xor">XOR of the CRC-64 of every <c>key ‖ value</c>.</param>
/// <param name="TotalKvs">Number of pairs.</param>
/// <param name="TotalBytes">Sum of key and value lengths.</param>
public readonly record struct KvChecksum(ulong Crc64Xor, ulong TotalKvs, ulong TotalBytes)
{
    /// <summary>The checksum of no pairs.</summary>
    public static KvChecksum Empty => default;

    /// <summary>The CRC-64 of one pair: one continuous CRC over the key bytes then the value bytes.</summary>
    public static ulong HashPair(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Crc64.Compute(key, value);

    /// <summary>This checksum with one more pair.</summary>
    public KvChecksum Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
        new(Crc64Xor ^ HashPair(key, value), TotalKvs + 1, TotalBytes + (ulong)key.Length + (ulong)value.Length);

    /// <summary>This checksum combined with that of a disjoint set of pairs.</summary>
    public KvChecksum Merge(KvChecksum other) =>
        new(Crc64Xor ^ other.Crc64Xor, TotalKvs + other.TotalKvs, TotalBytes + other.TotalBytes);

    /// <summary>Same as <see cref="Merge(KvChecksum)"/>.</summary>
    public static KvChecksum operator +(KvChecksum left, KvChecksum right) => left.Merge(right);

    /// <summary>Same as <see cref="Merge(KvChecksum)"/>, for languages without operator overloading.</summary>
    public static KvChecksum Add(KvChecksum left, KvChecksum right) => left.Merge(right);
}
