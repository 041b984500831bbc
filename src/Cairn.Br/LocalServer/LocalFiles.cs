using System.Globalization;

namespace Cairn.Br.LocalServer;

/// <summary>
/// What a <c>local://</c> restore says when a store lacks a file. With <c>local://</c> every store wrote its own
/// files to its own disk, and each file's name starts with the id of the store that wrote it
/// (<c>{store}_{region}_{epoch}_…</c>, as TiKV names them), so br can tell who has it without asking anyone.
/// </summary>
internal static class LocalFiles
{
    /// <summary>The id of the store that wrote <paramref name="fileName"/> at backup time, or null when the name does not say.</summary>
    public static ulong? Writer(string fileName)
    {
        var name = Path.GetFileName(fileName);
        var underscore = name.IndexOf('_', StringComparison.Ordinal);
        return underscore > 0 && ulong.TryParse(name.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }

    /// <summary>
    /// The error for a file of <paramref name="owner"/> that store <paramref name="storeId"/> was asked to read from
    /// its disk and has not. The writer named comes from the file name and belongs to the backed-up cluster, so it
    /// is a hint, not a claim about the target's stores.
    /// </summary>
    public static BrException NotOnStore(string fileName, string owner, string folder, ulong storeId)
    {
        var writer = Writer(fileName) is { } id ? $"store {id} of the backed-up cluster wrote this one" : "its name does not say which store wrote it";
        return new BrException("ErrKVDownloadFailed",
            $"file {fileName} of {owner} is not on store {storeId}'s disk in {folder}: with local:// each store wrote its own files to its own disk ({writer}); " +
            "copy every store's folder into one shared folder that every store sees at that path, or back up with --local-server");
    }
}
