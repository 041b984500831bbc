namespace Cairn.Storage;

/// <summary>Prefix handling of object names for the cloud backends that keep a prefix of their own (Azure Blob and GCS).</summary>
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

    /// <summary>
    /// Turns a listing prefix into the name prefix to ask for: "" lists everything, otherwise the prefix names a
    /// directory ("a/b" or "a/b/" both list the objects under "a/b/").
    /// </summary>
    public static string ListPrefix(string prefix)
    {
        var directory = StoragePath.NormalizeDirectory(prefix);
        return directory.Length == 0 ? "" : directory + "/";
    }
}
