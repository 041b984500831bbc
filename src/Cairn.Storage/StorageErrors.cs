using System.Net.Sockets;
using Cairn.Common.Errors;

namespace Cairn.Storage;

/// <summary>Turns exceptions that escape a backend into <see cref="StorageException"/>s with the right kind.</summary>
public static class StorageErrors
{
    /// <summary>
    /// Classifies <paramref name="exception"/>: a <see cref="StorageException"/> is returned as is; network
    /// failures (<see cref="IOException"/>, <see cref="HttpRequestException"/>, <see cref="SocketException"/>,
    /// timeouts) become transient <see cref="StorageErrorKind.Network"/> errors; anything else a
    /// <see cref="StorageErrorKind.Other"/> error, transient as <see cref="Transience.IsTransient"/> says. Returns null for cancellation requested by
    /// <paramref name="cancellationToken"/>, which must propagate unchanged.
    /// </summary>
    public static StorageException? Classify(Exception exception, string operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case StorageException storage:
                return storage;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return null;
            case OperationCanceledException or TimeoutException:
                // Not our token: an HTTP client timeout.
                return new StorageException($"{operation}: timed out", isTransient: true, StorageErrorKind.Network, exception);
            case IOException or HttpRequestException or SocketException when Transience.IsTransient(exception, cancellationToken):
                return new StorageException($"{operation}: network error: {exception.Message}", isTransient: true, StorageErrorKind.Network, exception);
            case UnauthorizedAccessException:
                return new StorageException($"{operation}: access denied: {exception.Message}", isTransient: false, StorageErrorKind.AccessDenied, exception);
            default:
                // Wrapped network failures and our own roots (an RPC to a store) keep their classification.
                return new StorageException($"{operation}: {exception.Message}", Transience.IsTransient(exception, cancellationToken), StorageErrorKind.Other, exception);
        }
    }
}
