using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cairn.Rpc.Security;

/// <summary>
/// The per-request half of <c>--cert-allowed-cn</c>: the handshake already proved the client certificate chains to
/// our CA; a request whose certificate's CN is not allowed is answered with a refusal naming the CN, which a handshake
/// failure (a bare TLS alert) could not carry to the client.
/// </summary>
public static class TlsCommonNameCheck
{
    /// <summary>The refusal text; clients show it as it is.</summary>
    public static string RefusalMessage(string commonName, IReadOnlyList<string> allowed) =>
        $"the server refused our certificate: CN '{commonName}' is not allowed (allowed: {string.Join(", ", allowed)}); use a certificate with an allowed CN or add it to the server's --cert-allowed-cn";

    /// <summary>
    /// Adds the check to <paramref name="app"/> when <paramref name="tls"/> lists CNs. gRPC requests are refused with
    /// PERMISSION_DENIED, others with 403 and the message as a JSON string (pd's error shape).
    /// </summary>
    public static IApplicationBuilder UseTlsCommonNameCheck(this IApplicationBuilder app, TlsSettings? tls)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (tls is null || tls.AllowedCommonNames.Count == 0)
        {
            return app;
        }

        return app.Use(async (http, next) =>
        {
            var certificate = http.Connection.ClientCertificate ?? await http.Connection.GetClientCertificateAsync(http.RequestAborted).ConfigureAwait(false);
            if (tls.IsCommonNameAllowed(certificate, out var cn))
            {
                await next(http).ConfigureAwait(false);
                return;
            }

            var message = RefusalMessage(cn, tls.AllowedCommonNames);
            if (http.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
            {
                // A trailers-only gRPC response: status in the headers, no body.
                http.Response.StatusCode = StatusCodes.Status200OK;
                http.Response.ContentType = "application/grpc";
                http.Response.Headers["grpc-status"] = ((int)StatusCode.PermissionDenied).ToString(System.Globalization.CultureInfo.InvariantCulture);
                http.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
                return;
            }

            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(message), http.RequestAborted).ConfigureAwait(false);
        });
    }
}
