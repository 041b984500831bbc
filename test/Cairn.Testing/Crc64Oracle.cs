namespace Cairn.Testing;

/// <summary>
/// CRC-64/XZ one bit at a time, straight from the definition (reflected polynomial 0xC96C5795D7870F42, initial and
/// final XOR all ones): the oracle the library's table and folding code is checked against, so it shares none of it.
/// </summary>
public static class Crc64Oracle
{
    /// <summary>The CRC of <paramref name="data"/>.</summary>
    public static ulong Compute(ReadOnlySpan<byte> data) => Update(0, data);

    /// <summary>Continues <paramref name="crc"/> (a finished CRC, as the library's <c>Update</c> takes it) over <paramref name="data"/>.</summary>
    public static ulong Update(ulong crc, ReadOnlySpan<byte> data)
    {
        var state = ~crc;
        foreach (var b in data)
        {
            state ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                state = (state & 1) != 0 ? (state >> 1) ^ 0xC96C5795D7870F42UL : state >> 1;
            }
        }

        return ~state;
    }
}
