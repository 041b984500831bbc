namespace Cairn.Br.Debug;

/// <summary>What <c>br debug checksum</c> found.</summary>
/// <param name="Tables">Per table, in schema order (then data of unknown tables by ID).</param>
/// <param name="Problems">Files missing, cut short or corrupt, by name.</param>
/// <param name="FilesChecked">Data files re-hashed.</param>
/// <param name="BytesChecked">Bytes read to re-hash them.</param>
public sealed record ChecksumReport(IReadOnlyList<TableChecksum> Tables, IReadOnlyList<FileProblem> Problems, int FilesChecked, long BytesChecked)
{
    /// <summary>Whether every file is intact and every table's files agree with its schema.</summary>
    public bool IsOk => Problems.Count == 0 && Tables.All(t => t.Matches);
}
