namespace Cairn.Br.Debug;

/// <summary>A backup file that failed <c>br debug checksum</c>.</summary>
/// <param name="Name">The file, as backupmeta names it.</param>
/// <param name="Kind">What is wrong.</param>
/// <param name="Detail">One line for the user.</param>
public sealed record FileProblem(string Name, FileProblemKind Kind, string Detail);
