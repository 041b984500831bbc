namespace Cairn.Br.Debug;

/// <summary>A backup file that <c>br debug backupmeta validate</c> found wrong, and why (one line).</summary>
public sealed record FileIssue(string Name, string Detail);
