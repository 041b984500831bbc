using System.Net;
using System.Text;
using System.Text.Json;
using Cairn.Storage.Azure;

namespace Cairn.Storage.Gcs;

/// <summary>Turns GCS JSON API failures into <see cref="StorageException"/>s naming the operation, the object and the error reason.</summary>
internal static class GcsErrors
{
    private const int MaxErrorBody = 16 * 1024;

    public static async Task<StorageException> FromResponseAsync(string operation, string target, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var reason = await ReasonAsync(response, cancellationToken).ConfigureAwait(false);
        var (kind, transient) = Classify(response.StatusCode);
        var text = new StringBuilder()
            .Append("GCS ").Append(operation).Append(" of '").Append(target).Append("' failed: HTTP ").Append((int)response.StatusCode);
        if (reason.Length > 0)
        {
            text.Append(' ').Append(reason);
        }
        else if (!string.IsNullOrEmpty(response.ReasonPhrase))
        {
            // Media downloads answer errors in plain text; the status phrase is the closest thing to a code.
            text.Append(" (").Append(response.ReasonPhrase).Append(')');
        }
        if (kind == StorageErrorKind.AccessDenied)
        {
            text.Append(" (check the service-account credentials and their permissions on the bucket)");
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
        return new StorageException($"GCS {operation} of '{target}' {what}", isTransient: true, StorageErrorKind.Network, exception);
    }

    public static bool IsNetworkFailure(Exception exception, CancellationToken cancellationToken) => AzureErrors.IsNetworkFailure(exception, cancellationToken);

    public static (StorageErrorKind Kind, bool Transient) Classify(HttpStatusCode status) => AzureErrors.Classify(status);

    private static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
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
            // {"error":{"code":404,"message":"…","errors":[{"reason":"notFound",…}]}}
            using var document = JsonDocument.Parse(buffer.AsMemory(0, read));
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                && errors[0].TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String)
            {
                return reason.GetString() ?? "";
            }
        }
        catch (Exception e) when (e is JsonException or IOException or HttpRequestException)
        {
            // The body is only a hint (the emulator answers some errors with plain text); the status still classifies.
        }
        return "";
    }
}
