using Google;
using Google.Apis.Auth.OAuth2.Responses;

namespace Cairn.Storage.Gcs;

/// <summary>Turns what Google.Cloud.Storage.V1 throws into <see cref="StorageException"/>s naming the operation, the object and the error reason.</summary>
/// <remarks>
/// Only the status and the JSON error's reason (<c>notFound</c>, <c>forbidden</c>…) go into messages; the SDK's
/// exception text repeats the service's free-text message and is not kept.
/// </remarks>
internal static class GcsErrors
{
    private const string Service = "GCS";
    private const string AccessDeniedHint = "(check the service-account credentials and their permissions on the bucket)";

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
        if (exception is GoogleApiException { HttpStatusCode: var status } api && (int)status >= 400)
        {
            var reason = api.Error?.Errors is { Count: > 0 } errors ? errors[0].Reason : null;
            return HttpStatusErrors.FromStatus(Service, operation, target, (int)status, reason, AccessDeniedHint);
        }
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is TokenResponseException token)
            {
                return TokenFailure(token);
            }
        }
        if (HttpStatusErrors.IsNetworkFailure(exception, cancellationToken) || exception is GoogleApiException)
        {
            return HttpStatusErrors.FromNetworkFailure(Service, operation, target, exception, cancellationToken);
        }
        return new StorageException($"{Service} {operation} of '{target}' failed: {exception.GetType().Name}: {exception.Message}", isTransient: false, StorageErrorKind.Other, exception);
    }

    /// <summary>Whether <paramref name="exception"/> is the service answering 404.</summary>
    public static bool IsNotFound(Exception exception) => exception is GoogleApiException { HttpStatusCode: System.Net.HttpStatusCode.NotFound };

    /// <summary>The token endpoint refused or could not be reached: a denial, unless the token server itself failed.</summary>
    public static StorageException TokenFailure(Exception e)
    {
        // The token response names its error (invalid_grant…) and never carries the key or the signed assertion.
        var transient = e is HttpRequestException or IOException or OperationCanceledException
            || (e is TokenResponseException { StatusCode: { } status } && ((int)status >= 500 || (int)status == 429));
        return new StorageException($"GCS could not obtain an access token: {e.GetType().Name}: {e.Message}",
            transient, transient ? StorageErrorKind.Network : StorageErrorKind.AccessDenied, e);
    }
}
