using System.Text;

namespace Cairn.Storage.Azure;

/// <summary>Checks relative object paths and builds object names and URL paths for the HTTP backends (Azure Blob and GCS).</summary>
internal static class ObjectPath
{
    /// <summary>Normalizes a configured prefix to "" or "a/b/".</summary>
    public static string NormalizePrefix(string? prefix)
    {
        var trimmed = (prefix ?? "").Trim('/');
        if (trimmed.Length == 0)
        {
            return "";
        }
        foreach (var segment in trimmed.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                throw new StorageException($"invalid storage prefix '{prefix}'", isTransient: false, StorageErrorKind.InvalidArgument);
            }
        }
        return trimmed + "/";
    }

    /// <summary>Rejects paths that are empty, absolute, or would leave the storage base.</summary>
    public static void Validate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0 || path[0] == '/' || path[^1] == '/' || path.Contains('\\', StringComparison.Ordinal) || path.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid(path);
        }
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                throw Invalid(path);
            }
        }
    }

    /// <summary>
    /// Turns a listing prefix into the name prefix to ask for: "" lists everything, otherwise the prefix names a
    /// directory ("a/b" or "a/b/" both list the objects under "a/b/").
    /// </summary>
    public static string ListPrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var trimmed = prefix.TrimEnd('/');
        if (trimmed.Length == 0)
        {
            return prefix.Length == 0 ? "" : throw Invalid(prefix);
        }
        Validate(trimmed);
        return trimmed + "/";
    }

    /// <summary>Percent-encodes each '/'-separated segment, keeping the separators.</summary>
    public static string EscapeSegments(string name)
    {
        var sb = new StringBuilder(name.Length + 16);
        var first = true;
        foreach (var segment in name.Split('/'))
        {
            if (!first)
            {
                sb.Append('/');
            }
            sb.Append(Uri.EscapeDataString(segment));
            first = false;
        }
        return sb.ToString();
    }

    private static StorageException Invalid(string path) =>
        new($"invalid storage path '{path}': paths are relative, '/'-separated and must not contain '.' or '..' segments",
            isTransient: false, StorageErrorKind.InvalidArgument);
}
