namespace Cairn.Br;

/// <summary>The raw-KV range of <c>br backup raw</c>: raw keys, <paramref name="End"/> exclusive (empty = unbounded).</summary>
/// <param name="Start">First raw key, inclusive.</param>
/// <param name="End">End raw key, exclusive; empty means the end of the key space.</param>
/// <param name="ColumnFamily">The column family backed up (<c>default</c> unless given).</param>
public sealed record RawBackupRange(byte[] Start, byte[] End, string ColumnFamily = "default");
