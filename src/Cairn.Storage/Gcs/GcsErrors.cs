using System.Text.Json;
using Cairn.Storage.Http;

namespace Cairn.Storage.Gcs;

/// <summary>Turns GCS JSON API failures into <see cref="StorageException"/>s naming the operation, the object and the error reason.</summary>
internal static class GcsErrors
{
    // Media downloads answer errors in plain text; the status phrase is the closest thing to a code.
    public static readonly HttpErrorMapper Mapper = new("GCS", "(check the service-account credentials and their permissions on the bucket)",
        codeHeader: null, ReasonFromBody, reasonPhraseFallback: true);

    /// <summary>The reason in <c>{"error":{"code":404,"message":"…","errors":[{"reason":"notFound",…}]}}</c>, or empty.</summary>
    private static string ReasonFromBody(ArraySegment<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.AsMemory());
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                && errors[0].TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String)
            {
                return reason.GetString() ?? "";
            }
        }
        catch (JsonException)
        {
            // The body is only a hint (the emulator answers some errors with plain text); the status still classifies.
        }
        return "";
    }
}
