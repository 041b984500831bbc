namespace Cairn.Store.Pd;

/// <summary>A region's measured size: bytes over all CFs, keys in the default and write CFs, and each CF's key count.</summary>
internal readonly record struct RegionSize(ulong Bytes, ulong Keys, ulong WriteKeys, ulong DefaultKeys);
