namespace Cairn.Client.Catalog;

/// <summary>
/// The rules TiDB applies to identifiers, checked before a DDL writes anything: a database, table, view or index name
/// is not empty or blank and has at most <see cref="MaxLength"/> characters (counted as Unicode code points, so
/// names in any script keep working), and only the primary key may be called <c>PRIMARY</c>.
/// </summary>
public static class CatalogNames
{
    /// <summary>TiDB's (and MySQL's) longest identifier, in characters.</summary>
    public const int MaxLength = 64;

    /// <summary>Throws <see cref="CatalogException"/> when <paramref name="name"/> is not a valid name of a <paramref name="kind"/>.</summary>
    /// <param name="name">The name as given.</param>
    /// <param name="kind">What it names, for the message: database, table, view, index.</param>
    public static void Validate(string? name, string kind)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new CatalogException($"{kind} name must not be empty or blank");
        }

        var length = 0;
        foreach (var _ in name.EnumerateRunes())
        {
            length++;
        }

        if (length > MaxLength)
        {
            throw new CatalogException($"{kind} name '{name[..Math.Min(name.Length, 20)]}…' is {length} characters long; the limit is {MaxLength}");
        }
    }

    /// <summary>Validates an index name; <c>PRIMARY</c> (in any case) is reserved for the primary key.</summary>
    /// <param name="name">The index name.</param>
    /// <param name="isPrimary">Whether the index is the primary key.</param>
    public static void ValidateIndex(string? name, bool isPrimary)
    {
        Validate(name, "index");
        if (!isPrimary && string.Equals(name, "PRIMARY", StringComparison.OrdinalIgnoreCase))
        {
            throw new CatalogException($"index name '{name}' is reserved for the primary key");
        }
    }
}
