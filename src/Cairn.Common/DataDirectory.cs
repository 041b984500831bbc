namespace Cairn.Common;

/// <summary>
/// Records in a data directory which kind of server owns it (a file <see cref="MarkerName"/> holding <c>pd</c> or
/// <c>store</c>), so that a pd started on a store's directory, or a store on pd's, refuses to start instead of
/// mixing their files.
/// </summary>
public static class DataDirectory
{
    /// <summary>The marker file's name.</summary>
    public const string MarkerName = "cairn-data-dir";

    /// <summary>The role of pd's data directory.</summary>
    public const string PdRole = "pd";

    /// <summary>The role of a store's data directory.</summary>
    public const string StoreRole = "store";

    /// <summary>
    /// Creates <paramref name="path"/> when missing and marks it as <paramref name="role"/>'s, or checks that an existing
    /// one is. A directory from before markers existed is recognised by its layout (pd keeps RocksDB in <c>meta/</c>, a
    /// store at the top).
    /// </summary>
    /// <exception cref="IOException">The directory belongs to the other role, or cannot be created.</exception>
    public static void Claim(string path, string role)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        var marker = Path.Combine(path, MarkerName);
        var owner = Owner(path);
        if (owner is not null && owner != role)
        {
            throw new IOException($"{path} is a {owner}'s data directory; a {role} does not start on it (use another --data-dir)");
        }

        if (!File.Exists(marker))
        {
            Directory.CreateDirectory(path);
            File.WriteAllText(marker, role + "\n");
        }
    }

    /// <summary>The role that owns <paramref name="path"/>, or null when none does (missing or empty).</summary>
    public static string? Owner(string path)
    {
        var marker = Path.Combine(path, MarkerName);
        if (File.Exists(marker))
        {
            return File.ReadAllText(marker).Trim();
        }

        if (File.Exists(Path.Combine(path, "meta", "CURRENT")))
        {
            return PdRole;
        }

        return File.Exists(Path.Combine(path, "CURRENT")) ? StoreRole : null;
    }
}
