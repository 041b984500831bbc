namespace Cairn.Br.Backup;

/// <summary>Key ranges in messages.</summary>
internal static class Keys
{
    /// <summary><c>[start, end)</c> in hex; an empty end reads as <c>+inf</c>.</summary>
    public static string Describe(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end) =>
        $"[{Convert.ToHexString(start)}, {(end.IsEmpty ? "+inf" : Convert.ToHexString(end))})";
}
