using System.Text;

namespace Cairn.RocksDb.Tests;

internal static class TestData
{
    public static readonly string[] StoreColumnFamilies = ["default", "write", "lock"];

    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public static string S(ReadOnlySpan<byte> b) => Encoding.UTF8.GetString(b);

    /// <summary>Fixed-width keys so bytewise order equals numeric order.</summary>
    public static byte[] Key(int i, string prefix = "k") => B($"{prefix}{i:D8}");

    public static RocksDbOptions StoreOptions(ColumnFamilyOptions? cf = null) =>
        RocksDbOptions.WithColumnFamilies(StoreColumnFamilies, cf);

    public static RocksDatabase OpenStore(string path, ColumnFamilyOptions? cf = null) => RocksDatabase.Open(path, StoreOptions(cf));

    public static List<(string Key, string Value)> Scan(RocksDbIterator it)
    {
        var list = new List<(string, string)>();
        for (it.SeekToFirst(); it.Valid; it.Next())
        {
            list.Add((S(it.Key), S(it.Value)));
        }

        it.ThrowIfError();
        return list;
    }
}
