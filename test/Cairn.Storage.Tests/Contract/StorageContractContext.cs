namespace Cairn.Storage.Tests.Contract;

/// <summary>What a contract test asks of the storage it is given.</summary>
/// <param name="Prefix">A prefix no other test uses (the storage's base lies under it).</param>
/// <param name="ListPageSize">Objects per listing page, so that small listings still span several pages.</param>
/// <param name="PartSize">Multipart part size (or block size) for writers.</param>
public sealed record StorageContractContext(string Prefix, int ListPageSize, int PartSize);
