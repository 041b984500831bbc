using System.Globalization;

namespace Cairn.RocksDb;

/// <summary>
/// The database and column family options RocksDB wrote into an <c>OPTIONS-NNNNNN</c> file (an INI file with a
/// <c>[DBOptions]</c> section and one <c>[CFOptions "name"]</c> section per column family), by RocksDB's own names.
/// The C API cannot read a running database's options back; this file is how RocksDB itself records them.
/// </summary>
public sealed class PersistedOptions
{
    private readonly Dictionary<string, string> _database;
    private readonly Dictionary<string, Dictionary<string, string>> _columnFamilies;

    private PersistedOptions(string file, Dictionary<string, string> database, Dictionary<string, Dictionary<string, string>> columnFamilies)
    {
        File = file;
        _database = database;
        _columnFamilies = columnFamilies;
    }

    /// <summary>The file read.</summary>
    public string File { get; }

    /// <summary>The <c>[DBOptions]</c> section.</summary>
    public IReadOnlyDictionary<string, string> Database => _database;

    /// <summary>The <c>[CFOptions "name"]</c> section of a column family; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> ColumnFamily(string name) =>
        _columnFamilies.TryGetValue(name, out var options) ? options : new Dictionary<string, string>();

    /// <summary>A database option as a number.</summary>
    /// <exception cref="KeyNotFoundException">The option is not in the file.</exception>
    public long DatabaseNumber(string name) => Number(_database, name, "DBOptions");

    /// <summary>A column family option as a number.</summary>
    /// <exception cref="KeyNotFoundException">The option is not in the file.</exception>
    public long ColumnFamilyNumber(string columnFamily, string name) =>
        Number(_columnFamilies.GetValueOrDefault(columnFamily) ?? [], name, $"CFOptions \"{columnFamily}\"");

    /// <summary>Reads the newest <c>OPTIONS-*</c> file in the database directory <paramref name="databasePath"/>.</summary>
    /// <exception cref="FileNotFoundException">The directory holds no options file.</exception>
    public static PersistedOptions ReadLatest(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        string? newest = null;
        long newestNumber = -1;
        foreach (var path in Directory.EnumerateFiles(databasePath, "OPTIONS-*"))
        {
            var suffix = System.IO.Path.GetFileName(path)["OPTIONS-".Length..];
            // RocksDB writes OPTIONS-N.dbtmp first and renames it; only finished files count.
            if (long.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > newestNumber)
            {
                newest = path;
                newestNumber = number;
            }
        }

        if (newest is null)
        {
            throw new FileNotFoundException($"No OPTIONS file in {databasePath}.");
        }

        return Parse(newest, System.IO.File.ReadAllLines(newest));
    }

    private static PersistedOptions Parse(string file, string[] lines)
    {
        var database = new Dictionary<string, string>(StringComparer.Ordinal);
        var families = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        Dictionary<string, string>? section = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line[0] == '[')
            {
                section = null;
                if (line == "[DBOptions]")
                {
                    section = database;
                }
                else if (line.StartsWith("[CFOptions \"", StringComparison.Ordinal) && line.EndsWith("\"]", StringComparison.Ordinal))
                {
                    var name = line["[CFOptions \"".Length..^2];
                    section = families[name] = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (section is not null && eq > 0)
            {
                section[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }

        return new PersistedOptions(file, database, families);
    }

    private static long Number(Dictionary<string, string> section, string name, string sectionName)
    {
        if (!section.TryGetValue(name, out var text))
        {
            throw new KeyNotFoundException($"Option {name} is not in [{sectionName}].");
        }

        return long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }
}
