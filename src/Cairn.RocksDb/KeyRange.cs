namespace Cairn.RocksDb;

/// <summary>A key range <c>[Start, End)</c>.</summary>
/// <param name="Start">Inclusive start key.</param>
/// <param name="End">Exclusive end key.</param>
public readonly record struct KeyRange(ReadOnlyMemory<byte> Start, ReadOnlyMemory<byte> End);
