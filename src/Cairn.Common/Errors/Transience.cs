using System.Net;
using System.Net.Sockets;

namespace Cairn.Common.Errors;

/// <summary>
/// The one place that says whether a failure is worth retrying. Our own exception roots answer for themselves
/// (<see cref="ITransientAware"/>); framework exceptions are classified here so the storage decorator, the client's
/// backoff and pd's client agree on what "transient" means.
/// </summary>
public static class Transience
{
    /// <summary>
    /// Whether retrying after <paramref name="exception"/> may succeed.
    /// <list type="bullet">
    /// <item><see cref="ITransientAware"/> exceptions answer <see cref="ITransientAware.IsTransient"/>.</item>
    /// <item>Cancellation asked for by <paramref name="cancellationToken"/> is never transient: the caller wants to
    /// stop. Any other <see cref="OperationCanceledException"/> is a timeout of some inner layer (an HTTP client's,
    /// a linked deadline) and is transient, as are <see cref="TimeoutException"/>, <see cref="SocketException"/>,
    /// <see cref="IOException"/> (but not a missing file or directory) and <see cref="HttpRequestException"/>
    /// (but not one carrying a 4xx status other than 408 and 429).</item>
    /// <item>An <see cref="AggregateException"/> is transient when it holds at least one exception and all of them
    /// are.</item>
    /// <item>Any other exception with an inner exception is classified by the inner one (wrappers such as
    /// <see cref="System.Reflection.TargetInvocationException"/>); without one it is permanent.</item>
    /// </list>
    /// </summary>
    public static bool IsTransient(Exception? exception, CancellationToken cancellationToken = default)
    {
        // Wrappers nest; a depth bound keeps a pathological cycle of inner exceptions from looping forever.
        for (var depth = 0; exception is not null && depth < 32; depth++)
        {
            switch (exception)
            {
                case ITransientAware aware:
                    return aware.IsTransient;
                case OperationCanceledException:
                    return !cancellationToken.IsCancellationRequested;
                case AggregateException aggregate:
                    return IsTransient(aggregate, cancellationToken);
                case TimeoutException or SocketException:
                    return true;
                case FileNotFoundException or DirectoryNotFoundException or PathTooLongException:
                    return false;
                case IOException:
                    return true;
                case HttpRequestException http:
                    return http.StatusCode is not { } status || IsTransientStatus(status);
            }

            exception = exception.InnerException;
        }

        return false;
    }

    /// <summary>Whether an HTTP status is worth retrying: 408, 429 and every 5xx.</summary>
    public static bool IsTransientStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static bool IsTransient(AggregateException aggregate, CancellationToken cancellationToken)
    {
        var inner = aggregate.Flatten().InnerExceptions;
        if (inner.Count == 0)
        {
            return false;
        }

        foreach (var e in inner)
        {
            if (!IsTransient(e, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }
}
