namespace Cairn.Br.Debug;

/// <summary>What is wrong with a backup file.</summary>
public enum FileProblemKind
{
    /// <summary>backupmeta names it but the storage does not have it.</summary>
    Missing,

    /// <summary>Its size differs from the one backupmeta recorded.</summary>
    SizeMismatch,

    /// <summary>Its SHA-256 differs from the one backupmeta recorded: the file is corrupt or was replaced.</summary>
    Sha256Mismatch,

    /// <summary>The storage failed to read it.</summary>
    Unreadable,
}
