using System.Xml;
using Cairn.Storage.Http;

namespace Cairn.Storage.Azure;

/// <summary>Turns Blob service failures into <see cref="StorageException"/>s that name the operation, the blob and the error code.</summary>
/// <remarks>
/// Only the status and the service's error code go into messages. The service's free-text message is left out on
/// purpose: for authentication failures it echoes the string that was signed, which is not something to log.
/// </remarks>
internal static class AzureErrors
{
    // HEAD responses have no body, so the code comes from the header when there is one.
    public static readonly HttpErrorMapper Mapper = new("Azure Blob", "(check the account name and key or the SAS token and its permissions)",
        "x-ms-error-code", CodeFromBody, reasonPhraseFallback: false);

    /// <summary>The code in <c>&lt;Error&gt;&lt;Code&gt;…&lt;/Code&gt;&lt;/Error&gt;</c>, or empty.</summary>
    private static string CodeFromBody(ArraySegment<byte> body)
    {
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body.Array!, body.Offset, body.Count, writable: false), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Code")
                {
                    return reader.ReadElementContentAsString();
                }
            }
        }
        catch (XmlException)
        {
            // The body is only a hint; the status still classifies the failure.
        }
        return "";
    }
}
