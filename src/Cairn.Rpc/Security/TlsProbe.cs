using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Cairn.Rpc.Security;

/// <summary>
/// Tells what a server speaks when a connection to it failed, so the error can say "it speaks TLS, pass --ca" or "it
/// does not speak TLS" instead of a transport message. Only used on the failure path: one TCP connect and at most one
/// handshake that trusts anything and proves nothing.
/// </summary>
public static class TlsProbe
{
    /// <summary>
    /// Whether the server at <paramref name="address"/> (<c>host:port</c>, any scheme) answers a TLS handshake; null when
    /// it cannot be reached at all or does not answer within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<bool?> SpeaksTlsAsync(string address, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        var uri = new Uri(address.Contains("://", StringComparison.Ordinal) ? address : "tcp://" + address);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(uri.Host.Trim('[', ']'), uri.Port, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = uri.Host.Trim('[', ']'),
                // Only whether a TLS server answers matters here; no data is sent over this connection.
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            }, cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            // A server that sent a TLS alert (it wanted a client certificate we did not offer) still speaks TLS.
            return e.Message.Contains("alert", StringComparison.OrdinalIgnoreCase) || e.InnerException?.Message.Contains("alert", StringComparison.OrdinalIgnoreCase) == true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
