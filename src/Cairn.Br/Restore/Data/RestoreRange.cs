namespace Cairn.Br.Restore.Data;

/// <summary>Neighbouring file groups merged into one range of the new key space: the unit that gets regions of its own.</summary>
/// <param name="Table">The physical table; null for a raw restore.</param>
/// <param name="Start">Inclusive start (user key).</param>
/// <param name="End">Exclusive end (user key; empty = unbounded).</param>
/// <param name="Kvs">Key-value pairs in the range.</param>
/// <param name="Bytes">Logical bytes in the range.</param>
internal sealed record RestoreRange(RestoreTableData? Table, byte[] Start, byte[] End, ulong Kvs, ulong Bytes)
{
    /// <summary>Whether the range holds no pairs.</summary>
    public bool IsEmpty => Kvs == 0 && Bytes == 0;
}
