using Azure.Core;
using Azure.Core.Pipeline;

namespace Cairn.Storage.Azure;

/// <summary>
/// Keeps the SDK from resuming downloads on its own. The stream of a blob download reconnects by itself after a
/// broken connection, up to a fixed five times that no client option turns off; our reader
/// (<see cref="ResumingReadStream"/>) already resumes, with the attempt count of the storage options. So blob GETs
/// are let through only when the storage itself sends them (inside <see cref="OwnRequests"/>); the SDK's reconnect
/// fails at once with an I/O error, which the reader takes as the broken connection it is.
/// </summary>
internal sealed class SdkReconnectRefusal : HttpPipelineSynchronousPolicy
{
    private const string Marker = "cairn.own-download";
    private static readonly Dictionary<string, object?> Properties = new() { [Marker] = true };

    /// <summary>Marks the requests sent until the scope is disposed as the storage's own.</summary>
    public static IDisposable OwnRequests() => HttpPipeline.CreateHttpMessagePropertiesScope(Properties);

    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        // Blob downloads are the only GETs without a "comp=" operation (listings, block lists and properties have one or use HEAD).
        if (request.Method == RequestMethod.Get && !request.Uri.Query.Contains("comp=", StringComparison.Ordinal) && !message.TryGetProperty(Marker, out _))
        {
            throw new IOException("the download's connection broke; the reader resumes it itself");
        }
    }
}
