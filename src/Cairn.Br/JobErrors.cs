using Cairn.Pd.Client;
using Cairn.Storage;

namespace Cairn.Br;

/// <summary>What backup and restore jobs share to turn inputs and failures into <see cref="BrException"/>s.</summary>
internal static class JobErrors
{
    /// <summary>Parses the job's storage URL; a bad one is <c>ErrStorageInvalidConfig</c> naming it (credentials removed).</summary>
    public static StorageUrl ParseStorage(string storage, StorageOpenOptions options)
    {
        try
        {
            return StorageUrl.Parse(storage, options);
        }
        catch (Exception e) when (e is StorageException or ArgumentException or FormatException or UriFormatException)
        {
            throw new BrException("ErrStorageInvalidConfig", $"storage {Redact.Url(storage)} cannot be used: {OneLine(e.Message)}", e);
        }
    }

    /// <summary>The failure as a <see cref="BrException"/>: storage and pd errors by their kind, anything else as <paramref name="fallbackCode"/>.</summary>
    public static BrException AsBrException(Exception e, string fallbackCode) => e switch
    {
        BrException b => b,
        StorageException s => new BrException("ErrStorage", $"storage failed: {OneLine(s.Message)}", s, s.IsTransient),
        PdException p => new BrException("ErrPD", OneLine(p.Message), p, p.IsTransient),
        _ => new BrException(fallbackCode, OneLine(e.Message), e, Common.Errors.Transience.IsTransient(e)),
    };

    /// <summary>The text on one line.</summary>
    public static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
