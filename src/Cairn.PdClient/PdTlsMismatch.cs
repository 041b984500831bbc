using Cairn.Rpc;
using Cairn.Rpc.Security;

namespace Cairn.Pd.Client;

/// <summary>
/// A cleartext client whose call to pd failed at the transport: when pd turns out to answer TLS handshakes, the
/// failure is the missing TLS flags, and the error says so instead of "is pd running there?".
/// </summary>
internal static class PdTlsMismatch
{
    public static async Task<bool> SpeaksTlsAsync(string address, CancellationToken cancellationToken) =>
        await TlsProbe.SpeaksTlsAsync(address, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false) == true;

    /// <summary>
    /// A TLS server that rejects our client certificate does so after the handshake completed on our side (TLS 1.3,
    /// and .NET servers on Linux check client certificates after the handshake): it closes the connection before
    /// HTTP/2 starts, which no healthy pd does.
    /// </summary>
    public static bool ClosedAfterHandshake(RpcException e) =>
        e.Status is StatusCode.Unavailable or StatusCode.Internal
        && e.Detail.Contains("did not complete the HTTP/2 handshake", StringComparison.Ordinal);

    public static string RefusedMessage(string address) =>
        $"pd at {new Uri(address).Authority} closed the connection right after the TLS handshake: it refused our certificate; is --cert signed by the cluster's CA and still valid?";

    public static string Message(string address) =>
        $"pd at {new Uri(address).Authority} speaks TLS; pass --ca, --cert and --key";
}
