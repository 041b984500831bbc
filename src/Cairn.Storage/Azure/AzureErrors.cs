using Azure;

namespace Cairn.Storage.Azure;

/// <summary>Turns what Azure.Storage.Blobs throws into <see cref="StorageException"/>s that name the operation, the blob and the error code.</summary>
/// <remarks>
/// The exception's <c>Message</c> is never used: it carries the service's free text (for
/// authentication failures, the string that was signed) and the response headers, which are not for logs.
/// </remarks>
internal static class AzureErrors
{
    private const string Service = "Azure Blob";
    private const string AccessDeniedHint = "(check the account name and key or the SAS token and its permissions)";

    /// <summary>
    /// The <see cref="StorageException"/> for <paramref name="exception"/>, or null when it is the cancellation the
    /// caller asked for (which must propagate unchanged).
    /// </summary>
    public static StorageException? Map(Exception exception, string operation, string target, CancellationToken cancellationToken)
    {
        if (HttpStatusErrors.TryMapCommon(exception, cancellationToken, e => Map(e, operation, target, cancellationToken), out var common))
        {
            return common;
        }
        switch (exception)
        {
            case RequestFailedException { Status: > 0 } failed:
                return HttpStatusErrors.FromStatus(Service, operation, target, failed.Status, failed.ErrorCode, AccessDeniedHint);
            case RequestFailedException { InnerException: { } inner }:
                // Status 0: the transport failed before any answer (refused connection, reset, DNS).
                return HttpStatusErrors.FromNetworkFailure(Service, operation, target, inner, cancellationToken);
            case System.Xml.XmlException:
                // The SDK could not read an answer's XML: a body cut short or not from the service (a proxy's error page).
                return new StorageException($"{Service} {operation} of '{target}' failed: the answer could not be read", isTransient: true, StorageErrorKind.Network, exception);
            case var e when HttpStatusErrors.IsNetworkFailure(e, cancellationToken):
                return HttpStatusErrors.FromNetworkFailure(Service, operation, target, e, cancellationToken);
            default:
                return new StorageException($"{Service} {operation} of '{target}' failed: {exception.GetType().Name}", isTransient: false, StorageErrorKind.Other, exception);
        }
    }

    /// <summary>Whether <paramref name="exception"/> is the service answering <paramref name="status"/>.</summary>
    public static bool IsStatus(Exception exception, int status) => exception is RequestFailedException failed && failed.Status == status;
}
