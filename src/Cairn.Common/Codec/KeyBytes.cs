using System.Buffers;

namespace Cairn.Common.Codec;

/// <summary>Operations on keys seen as byte strings (TiDB <c>kv.Key</c>).</summary>
public static class KeyBytes
{
    /// <summary>
    /// The smallest key greater than every key that starts with <paramref name="key"/>: the key incremented as a
    /// big-endian number. When every byte is 0xFF there is no such key of the same length, and TiDB returns the key
    /// with a 0x00 appended; this does the same, so range bounds match TiDB's byte for byte.
    /// </summary>
    public static byte[] PrefixNext(ReadOnlySpan<byte> key)
    {
        var lastNonMax = key.LastIndexOfAnyExcept((byte)0xFF);
        if (lastNonMax < 0)
        {
            var appended = new byte[key.Length + 1];
            key.CopyTo(appended);
            return appended;
        }

        var result = key.ToArray();
        PrefixNextInPlace(result);
        return result;
    }

    /// <summary>Writes <see cref="PrefixNext(ReadOnlySpan{byte})"/> into <paramref name="destination"/> and returns its length.</summary>
    public static int PrefixNext(ReadOnlySpan<byte> key, Span<byte> destination)
    {
        var length = key.ContainsAnyExcept((byte)0xFF) ? key.Length : key.Length + 1;
        if (destination.Length < length)
        {
            throw new ArgumentException($"destination needs {length} bytes, has {destination.Length}", nameof(destination));
        }

        key.CopyTo(destination);
        if (length > key.Length)
        {
            destination[key.Length] = 0;
        }
        else
        {
            PrefixNextInPlace(destination[..length]);
        }

        return length;
    }

    /// <summary>
    /// Increments <paramref name="key"/> in place as a big-endian number. Returns false (and leaves the key all zero)
    /// when it was all 0xFF, in which case the caller must append 0x00 to the original key instead.
    /// </summary>
    public static bool PrefixNextInPlace(Span<byte> key)
    {
        for (var i = key.Length - 1; i >= 0; i--)
        {
            if (++key[i] != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The smallest key greater than <paramref name="key"/>: the key with 0x00 appended (TiDB <c>Key.Next</c>).</summary>
    public static byte[] Next(ReadOnlySpan<byte> key)
    {
        var result = new byte[key.Length + 1];
        key.CopyTo(result);
        return result;
    }

    /// <summary>Concatenates the given parts into one new array.</summary>
    public static byte[] Concat(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var result = GC.AllocateUninitializedArray<byte>(first.Length + second.Length);
        first.CopyTo(result);
        second.CopyTo(result.AsSpan(first.Length));
        return result;
    }

    /// <summary>Lexicographic (unsigned byte-wise) comparison, the order RocksDB's default comparator uses.</summary>
    public static int Compare(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) => left.SequenceCompareTo(right);

    /// <summary>Appends raw bytes to a writer.</summary>
    public static void Write(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(writer);
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }
}
