namespace Cairn.Storage;

/// <summary>
/// Rules every backend applies to object paths, so that one path means the same object everywhere and can
/// never reach outside the storage's base: '/'-separated, relative, no empty, "." or ".." segments, no
/// backslashes (a Windows-style separator would mean different things on different backends) and no NUL.
/// </summary>
public static class StoragePath
{
    /// <summary>Suffix of the local backend's temporary files; paths may not end with it.</summary>
    public const string TempSuffix = ".cairn-tmp";

    /// <summary>Throws a non-transient <see cref="StorageException"/> (InvalidArgument) when <paramref name="path"/> breaks the rules.</summary>
    public static void Validate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            throw Invalid(path, "it is empty");
        }

        if (path[0] == '/')
        {
            throw Invalid(path, "it is absolute; paths are relative to the storage base");
        }

        if (path.Contains('\\', StringComparison.Ordinal))
        {
            throw Invalid(path, "it contains a backslash; use '/' as separator");
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid(path, "it contains a NUL character");
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
            {
                throw Invalid(path, "it has an empty segment ('//' or a trailing '/')");
            }

            if (segment is "." or "..")
            {
                throw Invalid(path, $"it has a '{segment}' segment");
            }
        }
        if (path.EndsWith(TempSuffix, StringComparison.Ordinal))
        {
            throw Invalid(path, $"names ending with '{TempSuffix}' are reserved for temporary files");
        }
    }

    /// <summary>
    /// Normalizes a listing prefix: "" means everything; otherwise a directory-like path (a trailing '/' is
    /// accepted) checked by <see cref="Validate"/>. Returns it without the trailing '/'.
    /// </summary>
    public static string NormalizeDirectory(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var trimmed = prefix.TrimEnd('/');
        if (trimmed.Length == 0)
        {
            if (prefix.Length != 0)
            {
                throw Invalid(prefix, "it is only slashes");
            }

            return "";
        }
        Validate(trimmed);
        return trimmed;
    }

    /// <summary>Joins a storage prefix (possibly empty, no surrounding '/') and a validated relative path with '/'.</summary>
    public static string Join(string prefix, string path) =>
        prefix.Length == 0 ? path : path.Length == 0 ? prefix : string.Concat(prefix, "/", path);

    private static StorageException Invalid(string path, string reason) =>
        new($"invalid storage path \"{Printable(path)}\": {reason}", isTransient: false, StorageErrorKind.InvalidArgument);

    private static string Printable(string path) => path.Length <= 200 ? path.Replace("\0", "\\0", StringComparison.Ordinal) : string.Concat(path.AsSpan(0, 200), "…");
}
