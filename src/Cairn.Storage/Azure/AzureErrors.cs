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
    public static readonly HttpErrorMapper Mapper = new("Azure Blob", "(check the account name and key or the SAS token and its permissions)",
        ErrorCodeAsync, reasonPhraseFallback: false);

    private static async Task<string> ErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Headers.TryGetValues("x-ms-error-code", out var values))
        {
            return string.Join(",", values);
        }
        // HEAD responses have no body; other responses carry <Error><Code>…</Code></Error>.
        try
        {
            var body = await HttpErrors.ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
            if (body.Count == 0)
            {
                return "";
            }
            using var reader = XmlReader.Create(new MemoryStream(body.Array!, body.Offset, body.Count, writable: false), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Code")
                {
                    return reader.ReadElementContentAsString();
                }
            }
        }
        catch (Exception e) when (e is XmlException or IOException or HttpRequestException)
        {
            // The body is only a hint; the status still classifies the failure.
        }
        return "";
    }
}
