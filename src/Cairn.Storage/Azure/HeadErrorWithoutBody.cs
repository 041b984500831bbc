using Azure.Core;
using Azure.Core.Pipeline;

namespace Cairn.Storage.Azure;

/// <summary>
/// Keeps the status of a failed HEAD. The SDK parses the body of every error answer whose Content-Type says XML, and
/// the answer to a HEAD has no body, so a proxy or gateway that labels its HEAD errors as XML (a 503 page, say) makes
/// the SDK throw an XmlException in place of the status. Such an answer's empty body is dropped here, and the error
/// is built from the status and headers.
/// </summary>
internal sealed class HeadErrorWithoutBody : HttpPipelineSynchronousPolicy
{
    public override void OnReceivedResponse(HttpMessage message)
    {
        if (message.Request.Method == RequestMethod.Head && message.Response.IsError)
        {
            message.Response.ContentStream = null;
        }
    }
}
