namespace Cairn.Br.Metadata;

/// <summary>A key range that is fully backed up, <c>[Start, End)</c> in raw keys, with the files written for it.</summary>
public sealed record CompletedRange(ReadOnlyMemory<byte> Start, ReadOnlyMemory<byte> End, IReadOnlyList<Cairn.Rpc.Backup.File> Files);
