using System.Net;
using System.Text;
using System.Xml;

namespace Cairn.Storage.Azure;

/// <summary>Turns Blob service failures into <see cref="StorageException"/>s that name the operation, the blob and the error code.</summary>
/// <remarks>
/// Only the status and the service's error code go into messages. The service's free-text message is left out on
/// purpose: for authentication failures it echoes the string that was signed, which is not something to log.
/// </remarks>
internal static class AzureErrors
{
    private const int MaxErrorBody = 16 * 1024;

    public static async Task<StorageException> FromResponseAsync(string operation, string target, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var code = await ErrorCodeAsync(response, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var (kind, transient) = Classify(response.StatusCode);
        var text = new StringBuilder()
            .Append("Azure Blob ").Append(operation).Append(" of '").Append(target).Append("' failed: HTTP ")
            .Append(status);
        if (code.Length > 0)
        {
            text.Append(' ').Append(code);
        }
        if (kind == StorageErrorKind.AccessDenied)
        {
            text.Append(" (check the account name and key or the SAS token and its permissions)");
        }
        return new StorageException(text.ToString(), transient, kind);
    }

    public static StorageException FromException(string operation, string target, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is StorageException storage)
        {
            return storage;
        }
        var timeout = exception is OperationCanceledException && !cancellationToken.IsCancellationRequested;
        var what = timeout ? "timed out" : "failed: " + exception.GetType().Name + ": " + exception.Message;
        return new StorageException($"Azure Blob {operation} of '{target}' {what}", isTransient: true, StorageErrorKind.Network, exception);
    }

    /// <summary>Whether an exception thrown by HttpClient or a response stream is a network failure worth wrapping.</summary>
    public static bool IsNetworkFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is HttpRequestException or IOException
        || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    public static (StorageErrorKind Kind, bool Transient) Classify(HttpStatusCode status) => (int)status switch
    {
        400 or 411 or 413 or 414 or 416 => (StorageErrorKind.InvalidArgument, false),
        401 or 403 => (StorageErrorKind.AccessDenied, false),
        404 => (StorageErrorKind.NotFound, false),
        408 => (StorageErrorKind.Network, true),
        429 => (StorageErrorKind.Throttled, true),
        503 => (StorageErrorKind.Throttled, true), // ServerBusy: the account is being throttled
        >= 500 => (StorageErrorKind.ServerError, true),
        _ => (StorageErrorKind.Other, false),
    };

    private static async Task<string> ErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Headers.TryGetValues("x-ms-error-code", out var values))
        {
            return string.Join(",", values);
        }
        // HEAD responses have no body; other responses carry <Error><Code>…</Code></Error>.
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[MaxErrorBody];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += n;
            }
            if (read == 0)
            {
                return "";
            }
            using var reader = XmlReader.Create(new MemoryStream(buffer, 0, read), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
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
